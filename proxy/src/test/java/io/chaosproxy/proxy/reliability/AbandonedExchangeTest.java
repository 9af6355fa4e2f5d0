package io.chaosproxy.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.Eventually;
import io.chaosproxy.proxy.testing.LocalSockets;
import io.chaosproxy.proxy.testing.RawHttp;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that gives up while the proxy holds its request (a hang, a latency, a slow backend) is
 * noticed at once: its socket is closed, the exchange is journaled as given up, and the request
 * never reaches the backend afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AbandonedExchangeTest {
    private static final Duration NOTICE = Duration.ofSeconds(5);

    private MockWebServer backend;
    private ChaosProxyServer proxy;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        backend = new MockWebServer();
        backend.start();
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).seed(3).build().start();
        url = proxy.url();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void aClientLeavingDuringAHangIsNoticedAtOnceAndTheRequestNeverReachesTheBackend() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).build());
        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.getOutputStream().write("POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
                    .getBytes(StandardCharsets.US_ASCII));
            Eventually.until("the hang rule fired", NOTICE, () -> rule.fired() == 1);
        }
        JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, NOTICE).get(0);
        assertThat(entry.error()).contains("gave up");
        Eventually.until("no proxy socket left in CLOSE-WAIT", NOTICE, () -> LocalSockets.closeWaitOn(url.getPort()) == 0);

        proxy.faults().remove(rule.id());
        backend.enqueue(new MockResponse.Builder().body("next").build());
        try (RawHttp next = new RawHttp(url)) {
            assertThat(next.send("GET /next HTTP/1.1\nHost: x", null).read(false).bodyText()).isEqualTo("next");
        }
        assertThat(backend.getRequestCount()).isEqualTo(1);
        assertThat(backend.takeRequest().getTarget()).isEqualTo("/next");
    }
}
