package io.chaosproxy.junit.readme;

// The JUnit example of the README ("In JUnit 5 tests"), line for line: it compiles and runs.
import static io.chaosproxy.junit.Faults.*;
import static io.chaosproxy.junit.example.OrderService.Status.PAYMENT_PENDING;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.junit.ChaosProxy;
import io.chaosproxy.junit.ChaosScenario;
import io.chaosproxy.junit.example.OrderService;   // the service under test: yours goes here
import java.time.Duration;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ChaosProxy.class)
class OrderServiceTest {
    @StartStop final MockWebServer payments = new MockWebServer();
    final ChaosProxy proxy;
    OrderService orders;

    OrderServiceTest(ChaosProxy proxy) { this.proxy = proxy; }

    @BeforeEach
    void pointTheServiceAtPaymentsThroughTheProxy() {
        proxy.upstream(payments.url("/"));            // String, URI or OkHttp HttpUrl
        orders = new OrderService(proxy.url());       // the service under test calls the proxy
    }

    @Test
    void aSlowPaymentsServiceMeansPendingWithinTheTimeout() {
        proxy.inject(latency(Duration.ofSeconds(2)).onPath("/payments/**"));
        assertThat(orders.place("o-2", 1299).status()).isEqualTo(PAYMENT_PENDING);
    }

    @Test
    void a503IsRetriedOnceNotHammered() {
        proxy.inject(error(503).header("Retry-After", "1").onPath("/payments/**"));
        orders.place("o-3", 1299);
        proxy.requests().toPath("/payments/**").assertCount(2);   // fails listing what was recorded
    }

    @Test
    @ChaosScenario("outage")
    void ordersAreStillTakenDuringAnOutage() {
        assertThat(orders.place("o-5", 1299).status()).isEqualTo(PAYMENT_PENDING);
    }
}
