package io.chaosproxy.junit.example;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The service under test: it places orders and charges them through a payments service it does
 * not trust. A payments call gets 500 ms; a 503 or a broken connection gets one more try; when
 * payments keeps failing, the service's own breaker stops calling it for a while. Whatever
 * payments does, an order is taken: paid, or pending payment (to be charged later).
 */
public final class OrderService {
    static final Duration PAYMENTS_TIMEOUT = Duration.ofMillis(500);
    /** One retry absorbs a blip; more would pile load on a service that is already struggling. */
    static final int TRIES_PER_ORDER = 2;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(PAYMENTS_TIMEOUT)
            .build();
    private final URI payments;
    private final Breaker breaker = new Breaker(3, Duration.ofSeconds(30), Clock.systemUTC());

    public enum Status { PAID, PAYMENT_PENDING }

    public record Order(String id, Status status) {}

    /** {@code paymentsBaseUrl} is the payments service's base URL: in the tests, the chaos proxy's. */
    public OrderService(URI paymentsBaseUrl) {
        this.payments = paymentsBaseUrl.resolve("/payments");
    }

    public Order place(String orderId, long amountCents) {
        if (!breaker.allowsCall()) {
            return new Order(orderId, Status.PAYMENT_PENDING);
        }
        for (int attempt = 1; attempt <= TRIES_PER_ORDER; attempt++) {
            Outcome outcome = charge(orderId, amountCents);
            if (outcome == Outcome.CHARGED) {
                breaker.succeeded();
                return new Order(orderId, Status.PAID);
            }
            if (outcome == Outcome.GIVE_UP) {
                break;
            }
        }
        breaker.failed();
        return new Order(orderId, Status.PAYMENT_PENDING);
    }

    private enum Outcome { CHARGED, TRY_AGAIN, GIVE_UP }

    private Outcome charge(String orderId, long amountCents) {
        HttpRequest request = HttpRequest.newBuilder(payments)
                .timeout(PAYMENTS_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"orderId\":\"" + orderId + "\",\"amountCents\":" + amountCents + "}"))
                .build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 == 2) {
                return Outcome.CHARGED;
            }
            return status == 503 ? Outcome.TRY_AGAIN : Outcome.GIVE_UP;
        } catch (HttpTimeoutException slow) {
            return Outcome.GIVE_UP; // waiting another 500 ms would double the customer's wait
        } catch (IOException broken) {
            return Outcome.TRY_AGAIN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.GIVE_UP;
        }
    }

    /** A tiny circuit breaker: open after N failed orders in a row, closed again after the cooldown. */
    static final class Breaker {
        private final int failuresToOpen;
        private final Duration cooldown;
        private final Clock clock;
        private int failures;
        private Instant openUntil = Instant.MIN;

        Breaker(int failuresToOpen, Duration cooldown, Clock clock) {
            this.failuresToOpen = failuresToOpen;
            this.cooldown = cooldown;
            this.clock = clock;
        }

        synchronized boolean allowsCall() {
            return !clock.instant().isBefore(openUntil);
        }

        synchronized void succeeded() {
            failures = 0;
        }

        synchronized void failed() {
            if (++failures >= failuresToOpen) {
                openUntil = clock.instant().plus(cooldown);
                failures = 0;
            }
        }
    }
}
