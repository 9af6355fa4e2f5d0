package io.chaosproxy.junit;

import static io.chaosproxy.junit.Faults.drop;
import static io.chaosproxy.junit.Faults.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.NameTakenException;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code @RegisterExtension static ChaosProxy proxy = ChaosProxy.builder()...build();}: configured in code. */
class RegisterExtensionTest {

    @StartStop
    final MockWebServer orders = new MockWebServer();
    @StartStop
    final MockWebServer payments = new MockWebServer();

    @RegisterExtension
    static final ChaosProxy proxy = ChaosProxy.builder()
            .proxy("payments")
            .maxAttempts(2)
            .breakerFailures(0)
            .tryTimeout(Duration.ofSeconds(2))
            .seed(42)
            .build();

    @BeforeEach
    void pointAtTheBackends() {
        TestHttp.answerOk(orders);
        TestHttp.answerOk(payments);
        proxy.upstream(orders.url("/"));
        proxy.upstream("payments", payments.url("/"));
    }

    @Test
    void theFieldIsTheProxyParametersReceive(ChaosProxy parameter) {
        assertThat(parameter).isSameAs(proxy);
        assertThat(proxy.seed()).isEqualTo(42);
    }

    @Test
    void eachNamedProxyHasItsOwnPortAndBackend() {
        assertThat(proxy.url("payments").getPort()).isNotEqualTo(proxy.url().getPort());

        assertThat(TestHttp.get(proxy.url(), "/a")).isEqualTo(200);
        assertThat(TestHttp.get(proxy.url("payments"), "/b")).isEqualTo(200);

        assertThat(orders.getRequestCount()).isEqualTo(1);
        assertThat(payments.getRequestCount()).isEqualTo(1);
        proxy.requests().onProxy("payments").toPath("/b").assertCount(1);
    }

    @Test
    void aFaultCanAimAtOneNamedProxy() {
        proxy.inject(error(503).onProxy("payments"));

        assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(200);
        assertThat(TestHttp.get(proxy.url("payments"), "/")).isEqualTo(503);
    }

    @Test
    void theBuildersResilienceSettingsApply() {
        // an upstream fault looks like a real backend failure, so the proxy retries: twice in all, as configured
        proxy.inject(drop().upstream());

        assertThat(TestHttp.get(proxy.url(), "/retried")).isEqualTo(502);

        assertThat(proxy.requests().toPath("/retried").last().attempts()).hasSize(2);
    }

    @Test
    void severalBackendsTakeTurns() {
        proxy.upstreams("default", List.of(orders.url("/").uri(), payments.url("/").uri()));

        for (int i = 0; i < 4; i++) {
            assertThat(TestHttp.get(proxy.url(), "/rr")).isEqualTo(200);
        }

        assertThat(orders.getRequestCount()).isEqualTo(2);
        assertThat(payments.getRequestCount()).isEqualTo(2);
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> proxy.inject(error(503).onProxy("paymnets")))
                .isInstanceOf(FaultSpecException.class)
                .hasMessage("proxy \"paymnets\" names no proxy; proxies: default, payments");
        assertThatThrownBy(() -> proxy.url("paymnets"))
                .isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("no proxy named 'paymnets'");
        assertThatThrownBy(() -> proxy.upstream("ftp://example.com"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with http://, https:// or h2c://");
        proxy.inject(error(503).named("twice"));
        assertThatThrownBy(() -> proxy.inject(error(503).named("twice")))
                .isInstanceOf(NameTakenException.class)
                .hasMessageContaining("\"twice\" is already taken");
    }

    @Test
    void theBuilderChecksEachValueAtOnce() {
        assertThatThrownBy(() -> ChaosProxy.builder().maxAttempts(0))
                .hasMessage("maxAttempts must be 1-10, got 0");
        assertThatThrownBy(() -> ChaosProxy.builder().listen("8080"))
                .hasMessageContaining("expected HOST:PORT");
        assertThatThrownBy(() -> ChaosProxy.builder().proxy("default"))
                .hasMessageContaining("'default' is the default proxy's name");
        assertThatThrownBy(() -> ChaosProxy.builder().proxy("pay ments"))
                .hasMessageContaining("proxy name must be 1-64 characters");
        assertThatThrownBy(() -> ChaosProxy.builder().listen("payments", "127.0.0.1:0"))
                .hasMessageContaining("no proxy named 'payments' is configured");
    }
}
