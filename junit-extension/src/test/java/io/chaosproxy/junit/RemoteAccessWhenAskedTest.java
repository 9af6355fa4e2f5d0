package io.chaosproxy.junit;

import static io.chaosproxy.junit.Faults.error;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Asked for, an in-process proxy serves its control API too: for what outside the test's JVM
 * should drive or watch the same proxy the test drives through its handle.
 */
class RemoteAccessWhenAskedTest {
    static final String TOKEN = "s3cret-for-this-test";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    static final ChaosProxy proxy = ChaosProxy.builder().control("127.0.0.1:0").controlToken(TOKEN).build();

    @StartStop
    final MockWebServer backend = new MockWebServer();

    @BeforeEach
    void pointAtTheBackend() {
        TestHttp.answerOk(backend);
        proxy.upstream(backend.url("/"));
    }

    @Test
    void theControlApiListensWhereControlUrlSays() throws Exception {
        URI control = proxy.controlUrl().orElseThrow();

        assertThat(control.getPort()).isNotEqualTo(proxy.url().getPort());
        assertThat(ListeningPorts.ofThisProcess()).contains(control.getPort(), proxy.url().getPort());
        assertThat(call(control, "GET", "/health", null).statusCode()).isEqualTo(200);
        assertThat(call(control, "GET", "/status", null).statusCode()).as("the token is asked for").isEqualTo(401);
        assertThat(call(control, "GET", "/status", TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void overItAnotherClientDrivesTheSameProxyAsTheHandle() throws Exception {
        URI control = proxy.controlUrl().orElseThrow();
        proxy.inject(error(503).named("from-the-handle").onPath("/a"));

        assertThat(call(control, "GET", "/faults", TOKEN).body()).contains("\"from-the-handle\"");

        ChaosProxy outside = ChaosProxy.remote(control, TOKEN); // as another JVM would reach it
        try {
            outside.inject(error(502).named("from-outside").onPath("/b"));
            assertThat(TestHttp.get(proxy.url(), "/a")).isEqualTo(503);
            assertThat(TestHttp.get(proxy.url(), "/b")).isEqualTo(502);
            assertThat(TestHttp.get(proxy.url(), "/c")).isEqualTo(200);

            proxy.requests().withStatus(502).assertCount(1);
            outside.requests().withStatus(503).assertCount(1);
            assertThat(outside.url()).isEqualTo(proxy.url());
        } finally {
            outside.close();
        }
    }

    // ---- the same from @ChaosProxyConfig ----

    static final AtomicReference<URI> annotatedControl = new AtomicReference<>();

    @EngineRun.Case
    @ChaosProxyConfig(control = "127.0.0.1:0", controlToken = "${chaosproxy.test.token}")
    static class Annotated {
        @Test
        void hasAControlApi(ChaosProxy proxy) {
            annotatedControl.set(proxy.controlUrl().orElse(null));
            assertThat(call(annotatedControl.get(), "GET", "/status", "from-a-placeholder").statusCode()).isEqualTo(200);
        }
    }

    @EngineRun.Case
    @ChaosProxyConfig(controlToken = "a-token")
    static class TokenWithoutControl {
        @Test
        void neverRuns() {
        }
    }

    @Test
    void theAnnotationAsksForItTooWithPlaceholders() {
        EngineExecutionResults results = EngineRun.run(Map.of("chaosproxy.test.token", "from-a-placeholder"), Annotated.class);

        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        assertThat(annotatedControl.get()).isNotNull();
    }

    @Test
    void aTokenWithoutControlIsAMistakeNamedAsSuch() {
        EngineExecutionResults results = EngineRun.run(TokenWithoutControl.class);

        assertThat(EngineRun.failures(results)).singleElement().satisfies(failure -> assertThat(failure)
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("@ChaosProxyConfig on " + TokenWithoutControl.class.getName())
                .hasMessageContaining("controlToken is given without control"));
    }

    static HttpResponse<String> call(URI control, String method, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(control.resolve(path)).timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
