package io.chaosproxy.junit.example;

import static io.chaosproxy.junit.Faults.drop;
import static io.chaosproxy.junit.Faults.error;
import static io.chaosproxy.junit.Faults.latency;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.junit.ChaosProxy;
import io.chaosproxy.junit.ChaosScenario;
import io.chaosproxy.junit.InjectedFault;
import io.chaosproxy.junit.example.OrderService.Order;
import io.chaosproxy.junit.example.OrderService.Status;
import java.io.IOException;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How {@link OrderService} copes when payments misbehaves. Payments is a MockWebServer; the
 * service calls it through the chaos proxy, which each test tells how to misbehave.
 */
@ExtendWith(ChaosProxy.class)
class OrderServiceTest {

    @StartStop
    final MockWebServer payments = new MockWebServer();

    final ChaosProxy proxy;
    OrderService orders;

    OrderServiceTest(ChaosProxy proxy) {
        this.proxy = proxy;
    }

    /**
     * A fresh JVM loads its HTTP stack on the first call, which can take longer than the service's
     * 500 ms budget: pay for that once here, so the tests measure payments and not class loading.
     */
    @BeforeAll
    static void warmUp(ChaosProxy proxy) throws IOException {
        try (MockWebServer warmUp = new MockWebServer()) {
            warmUp.start();
            proxy.upstream(warmUp.url("/"));
            new OrderService(proxy.url()).place("warm-up", 0);
        }
    }

    @BeforeEach
    void pointTheServiceAtPaymentsThroughTheProxy() {
        payments.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
                return new MockResponse.Builder().code(201).body("{\"status\":\"charged\"}").build();
            }
        });
        proxy.upstream(payments.url("/"));
        orders = new OrderService(proxy.url());
    }

    @Test
    void ordersArePaidWhenPaymentsIsHealthy() {
        assertThat(orders.place("o-1", 1299).status()).isEqualTo(Status.PAID);

        proxy.requests().toPath("/payments").withStatus(201).assertCount(1);
    }

    @Test
    void aSlowPaymentsServiceMeansPendingWithinTheTimeoutNotAStuckCustomer() {
        proxy.inject(latency(Duration.ofSeconds(2)).onPath("/payments/**"));

        long started = System.nanoTime();
        Order order = orders.place("o-2", 1299);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(order.status()).isEqualTo(Status.PAYMENT_PENDING);
        assertThat(took).isLessThan(Duration.ofMillis(1500)); // 500 ms timeout, and no second try
        assertThat(payments.getRequestCount()).isZero();
    }

    @Test
    void a503IsRetriedOnceNotHammered() {
        proxy.inject(error(503).header("Retry-After", "1").onPath("/payments/**"));

        assertThat(orders.place("o-3", 1299).status()).isEqualTo(Status.PAYMENT_PENDING);

        proxy.requests().toPath("/payments/**").assertCount(OrderService.TRIES_PER_ORDER);
    }

    @Test
    void aSingle503IsAbsorbedByTheRetry() {
        InjectedFault blip = proxy.inject(error(503).times(1));

        assertThat(orders.place("o-4", 1299).status()).isEqualTo(Status.PAID);

        assertThat(blip.fired()).isEqualTo(1);
        assertThat(payments.getRequestCount()).isEqualTo(1); // the 503 came from the proxy, the retry got through
    }

    @Test
    void duringAnOutageTheServicesOwnBreakerStopsCallingPayments() {
        proxy.inject(drop().onPath("/payments/**")); // every connection reset

        for (int i = 0; i < 10; i++) {
            assertThat(orders.place("o-" + i, 100).status()).isEqualTo(Status.PAYMENT_PENDING);
        }

        // three failed orders of two tries each open the breaker; the other seven never call out
        proxy.requests().toPath("/payments/**").assertCount(3 * OrderService.TRIES_PER_ORDER);
    }

    @Test
    @ChaosScenario("outage")
    void ordersAreStillTakenDuringTheBuiltInOutageScenario() {
        assertThat(orders.place("o-5", 1299).status()).isEqualTo(Status.PAYMENT_PENDING);
        proxy.requests().withoutResponse().assertCount(OrderService.TRIES_PER_ORDER);
    }
}
