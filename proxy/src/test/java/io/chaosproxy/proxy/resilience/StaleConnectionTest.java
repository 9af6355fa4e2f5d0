package io.chaosproxy.proxy.resilience;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Healthy backends close keep-alive connections: after some idle time (Node.js after 5 s), or after
 * so many requests. A pooled connection the backend closed must never reach a client as an error,
 * nor count against the backend's breaker; and a POST still reaches the backend at most once.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StaleConnectionTest {
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    private static final int CONCURRENCY = 10;

    private final Map<String, AtomicInteger> seenById = new ConcurrentHashMap<>();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService senders = Executors.newFixedThreadPool(CONCURRENCY);
    private ScriptedBackend backend;
    private ChaosProxyServer proxy;
    private int sent;

    @AfterEach
    void stop() throws Exception {
        senders.shutdownNow();
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aBackendClosingIdleConnectionsAfterOneSecondCausesNoErrorsAcrossPauses() throws Exception {
        start(Duration.ofSeconds(1), Integer.MAX_VALUE);
        for (int burst = 0; burst < 6; burst++) {
            burst(70);
            awaitBackendClosedEveryIdleConnection();
        }
        assertFaithful();
    }

    @Test
    void aBackendClosingIdleConnectionsAfterFiveSecondsCausesNoErrorsAcrossAPause() throws Exception {
        start(Duration.ofSeconds(5), Integer.MAX_VALUE);
        burst(70);
        awaitBackendClosedEveryIdleConnection();
        burst(70);
        assertFaithful();
    }

    /**
     * A backend that closes every connection right after its tenth answer, without saying so. An
     * idempotent request that lands on such a connection is sent again, so none fails. A POST or
     * PATCH is written only once the proxy has looked for the backend's close (1 ms), so nearly
     * none fails either; but one that goes out in the instant between the backend's last answer and
     * its close (the backend's thread descheduled there) is lost, and answered 502 rather than sent
     * twice. That race belongs to HTTP/1.1 keep-alive (RFC 9112 section 9.3.1), not to the proxy: a
     * backend delaying its close by 5 ms loses about 1 in 25 of them. So: none lost in an idempotent
     * request, few lost at all, none sent twice, none against the breaker, and each lost one named
     * for what it is.
     */
    @Test
    void aBackendClosingEveryConnectionAfterTenRequestsUnannouncedFailsNoIdempotentRequestAndSendsNothingTwice() throws Exception {
        start(Duration.ofSeconds(30), 10);
        Map<String, Integer> statusById = new HashMap<>();
        for (int burst = 0; burst < 10; burst++) {
            statusById.putAll(send(100));
        }
        assertThat(sent).isEqualTo(1_000);
        List<JournalEntry> entries = proxy.journal().entries();
        assertThat(entries).hasSize(sent);
        assertThat(entries).allSatisfy(entry -> {
            assertThat(entry.attempts()).as("one attempt: the POST is never sent again").hasSize(1);
            if (Integer.valueOf(200).equals(entry.status())) {
                assertThat(entry.error()).isNull();
                return;
            }
            assertThat(entry.method()).as("only a non-idempotent request may be lost: %s", entry).isIn("POST", "PATCH");
            assertThat(entry.status()).isEqualTo(502);
            assertThat(entry.error()).contains("pooled connection failed before a response");
        });
        statusById.forEach((id, status) -> assertThat(seenById.containsKey(id) ? seenById.get(id).get() : 0)
                .as("request %s (%d) at the backend", id, status)
                .isEqualTo(status == 200 ? 1 : 0));
        // without the proxy's look for the close, 12-16 of them are lost here (OkHttp's own check
        // catches the rest); with it none, in 85 runs beside CPU hogs: 5 leaves room for a loaded machine
        assertThat(entries.stream().filter(entry -> !Integer.valueOf(200).equals(entry.status())))
                .as("POST and PATCH requests lost to the race").hasSizeLessThanOrEqualTo(5);
        var breaker = proxy.proxies().get(0).backends().get(0).breaker();
        assertThat(breaker.openings()).isZero();
        assertThat(breaker.consecutiveFailures()).isZero();
    }

    private void start(Duration idleClose, int requestsPerConnection) throws Exception {
        backend = new ScriptedBackend(connection -> {
            openConnections.incrementAndGet();
            try {
                connection.socket().setSoTimeout((int) idleClose.toMillis());
                for (int served = 0; served < requestsPerConnection; served++) {
                    ScriptedBackend.Head head;
                    try {
                        head = connection.readHead();
                    } catch (SocketTimeoutException idle) {
                        return; // the idle close: a FIN, with no word beforehand
                    }
                    if (head == null) {
                        return;
                    }
                    connection.readBody(head);
                    seenById.computeIfAbsent(head.header("X-Seq"), id -> new AtomicInteger()).incrementAndGet();
                    connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + (head.method().equals("HEAD") ? "" : "ok"));
                }
                // the last request of this connection: closed right after the answer, without Connection: close
            } finally {
                openConnections.decrementAndGet();
            }
        });
        proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).seed(2).build().start();
    }

    private void burst(int requests) throws Exception {
        send(requests).forEach((id, status) -> assertThat(status).as("request %s", id).isEqualTo(200));
    }

    /** Sends {@code requests} of the seven methods in turn, {@value #CONCURRENCY} at a time; the status of each, by id. */
    private Map<String, Integer> send(int requests) throws Exception {
        Map<String, Future<Integer>> answers = new LinkedHashMap<>();
        for (int i = 0; i < requests; i++) {
            String method = METHODS.get(sent % METHODS.size());
            String id = Integer.toString(sent++);
            boolean body = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
            HttpRequest request = HttpRequest.newBuilder(URI.create(proxy.url() + "item/" + id))
                    .header("X-Seq", id)
                    .method(method, body ? HttpRequest.BodyPublishers.ofString("{\"id\":" + id + "}") : HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(20))
                    .build();
            answers.put(id, senders.submit(() -> client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()));
        }
        Map<String, Integer> statuses = new LinkedHashMap<>();
        for (Map.Entry<String, Future<Integer>> answer : answers.entrySet()) {
            statuses.put(answer.getKey(), answer.getValue().get());
        }
        return statuses;
    }

    private void awaitBackendClosedEveryIdleConnection() {
        await("the backend closed its idle connections").atMost(Duration.ofSeconds(15)).until(() -> openConnections.get() == 0);
    }

    private void assertFaithful() {
        List<JournalEntry> entries = proxy.journal().entries();
        assertThat(entries).hasSize(sent);
        assertThat(entries).allSatisfy(entry -> {
            assertThat(entry.status()).isEqualTo(200);
            assertThat(entry.error()).isNull();
            assertThat(entry.attempts()).hasSize(1);
        });
        // every request reached the backend exactly once: none lost, none (above all no POST) twice
        assertThat(seenById).hasSize(sent);
        assertThat(seenById.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
        var breaker = proxy.proxies().get(0).backends().get(0).breaker();
        assertThat(breaker.openings()).isZero();
        assertThat(breaker.consecutiveFailures()).isZero();
    }
}
