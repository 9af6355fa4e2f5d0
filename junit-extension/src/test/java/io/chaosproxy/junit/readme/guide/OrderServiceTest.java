package io.chaosproxy.junit.readme.guide;

// The example of junit-extension/README.md ("A test, as a user writes it"), line for line: it compiles and runs.
import static io.chaosproxy.junit.example.OrderService.Status.PAYMENT_PENDING;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.junit.ChaosProxy;
import io.chaosproxy.junit.ChaosScenario;
import io.chaosproxy.junit.example.OrderService;
import java.time.Duration;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import static io.chaosproxy.junit.Faults.*;

@ExtendWith(ChaosProxy.class)
class OrderServiceTest {
    @StartStop final MockWebServer payments = new MockWebServer();
    final ChaosProxy proxy;
    OrderService orders;

    OrderServiceTest(ChaosProxy proxy) { this.proxy = proxy; }

    @BeforeEach
    void pointTheServiceAtPaymentsThroughTheProxy() {
        proxy.upstream(payments.url("/"));         // a MockWebServer's URL drops straight in
        orders = new OrderService(proxy.url());    // the service calls the proxy
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
        proxy.requests().toPath("/payments/**").assertCount(2);
    }

    @Test
    void duringAnOutageTheServicesOwnBreakerStopsCallingPayments() {
        proxy.inject(drop().onPath("/payments/**"));            // every connection reset
        for (int i = 0; i < 10; i++) orders.place("o-" + i, 100);
        proxy.requests().toPath("/payments/**").assertCount(6); // 3 failed orders x 2 tries, then the breaker
    }

    @Test
    @ChaosScenario("outage")
    void ordersAreStillTakenDuringTheBuiltInOutageScenario() {
        assertThat(orders.place("o-5", 1299).status()).isEqualTo(PAYMENT_PENDING);
    }
}
