package io.chaosproxy.proxy.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.proxy.ChaosProxyServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * A client that holds a complete response finds its exchange in the journal at once, in the order
 * it sent its requests: tests read the journal right after a call, with no await and no sleep.
 */
class JournalTimingTest {

    @Test
    void everyAnsweredExchangeIsAlreadyJournaledInRequestOrder() throws Exception {
        try (MockWebServer backend = new MockWebServer()) {
            backend.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return request.getTarget().contains("chunked")
                            ? new MockResponse.Builder().code(200).chunkedBody("a chunked body", 3).build()
                            : new MockResponse.Builder().code(200).body("a body").build();
                }
            });
            backend.start(0);
            try (ChaosProxyServer proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).build().start()) {
                proxy.inject(FaultRule.builder(new ErrorResponse(503)).path("/injected").build());
                HttpClient http = HttpClient.newHttpClient();
                String[] paths = {"/plain", "/chunked", "/injected"};
                for (int i = 0; i < 150; i++) {
                    String path = paths[i % paths.length];
                    HttpResponse<String> reply = http.send(HttpRequest.newBuilder(proxy.url().resolve(path))
                            .header("X-Request-Id", "r" + i).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(reply.statusCode()).isIn(200, 503);
                    List<JournalEntry> entries = proxy.journal().entries();
                    assertThat(entries).as("journal right after response %d", i).hasSize(i + 1);
                    assertThat(entries.get(i).requestId()).isEqualTo("r" + i);
                }
            }
        }
    }
}
