package io.chaosproxy.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import io.chaosproxy.testing.DeadPort;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * POST and PATCH reach a backend at most once, whatever fails: 2,000 concurrent requests against
 * a fleet where one backend refuses connections and the others reset before or after reading the
 * body, stall past the try timeout, close without answering or answer 5xx, while upstream faults
 * inject errors, resets and latency and breakers open and close. Counted at the backends, per request.
 *
 * <p>GETs in the same traffic are retried (some reach a backend two or three times), which shows
 * the failures really did send the proxy down its retry paths.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NoDoubleExecutionTest {
    private static final long SEED = 3_2026L;
    private static final int REQUESTS = 2_000;
    private static final int CONCURRENCY = 48;
    private static final MediaType BYTES = MediaType.get("application/octet-stream");
    /** What a backend does with a request, chosen by the client per request; "ok" most often. */
    private static final String[] BEHAVIOURS = {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok",
            "ok", "ok", "reset-before-body", "reset-after-body", "stall", "close-without-answer", "500", "503"};

    private final Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> behaviourSeen = new ConcurrentHashMap<>();
    private final List<ScriptedBackend> backends = new ArrayList<>();
    private ChaosProxyServer proxy;
    private OkHttpClient client;

    @BeforeEach
    void start() throws Exception {
        for (int i = 0; i < 2; i++) {
            backends.add(new ScriptedBackend(this::serve));
        }
        ResilienceSettings settings = ResilienceSettings.builder()
                .maxAttempts(3)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(10))
                .retryBudget(1.0, 1000, Duration.ofSeconds(10)) // let every allowed retry happen
                .breakerFailures(6)
                .breakerCooldown(Duration.ofMillis(100))
                .connectTimeout(Duration.ofSeconds(1))
                .tryTimeout(Duration.ofMillis(500))
                .build();
        proxy = ChaosProxyServer.builder()
                .upstream(DeadPort.url(), backends.get(0).url().toString(), backends.get(1).url().toString())
                .resilience(settings)
                .journalCapacity(10_000)
                .seed(SEED)
                .faults(List.of(
                        FaultRule.builder(new ErrorResponse(503)).target(Target.UPSTREAM).probability(0.05).build(),
                        FaultRule.builder(new Drop()).target(Target.UPSTREAM).probability(0.05).build(),
                        FaultRule.builder(new Latency(700)).target(Target.UPSTREAM).probability(0.02).build(),
                        FaultRule.builder(new ErrorResponse(500)).probability(0.02).build()))
                .build()
                .start();
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(CONCURRENCY);
        dispatcher.setMaxRequestsPerHost(CONCURRENCY);
        client = new OkHttpClient.Builder()
                .retryOnConnectionFailure(false) // every count at a backend is the proxy's doing
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(CONCURRENCY, 1, TimeUnit.MINUTES))
                .readTimeout(Duration.ofSeconds(20))
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        client.dispatcher().executorService().shutdownNow();
        client.connectionPool().evictAll();
        proxy.close();
        for (ScriptedBackend backend : backends) {
            backend.close();
        }
    }

    @Test
    void postAndPatchReachABackendAtMostOnceUnderEveryFailure() throws Exception {
        Random random = new Random(SEED);
        List<String[]> plan = new ArrayList<>(); // seq, method, behaviour
        for (int i = 0; i < REQUESTS; i++) {
            int kind = random.nextInt(10);
            String method = kind < 4 ? "POST" : kind < 7 ? "PATCH" : "GET";
            plan.add(new String[] {"s" + i, method, BEHAVIOURS[random.nextInt(BEHAVIOURS.length)]});
        }
        Map<String, Integer> statuses = new ConcurrentHashMap<>();
        List<String> clientFailures = new CopyOnWriteArrayList<>();
        ExecutorService workers = Executors.newFixedThreadPool(CONCURRENCY);
        List<Future<?>> futures = new ArrayList<>();
        long started = System.nanoTime();
        for (String[] request : plan) {
            futures.add(workers.submit(() -> {
                String seq = request[0];
                String method = request[1];
                RequestBody body = method.equals("GET") ? null : RequestBody.create(new byte[2048 + seq.hashCode() % 1024], BYTES);
                Request.Builder builder = new Request.Builder()
                        .url(proxy.url().resolve("/orders/" + seq).toString())
                        .header("X-Request-Id", seq)
                        .header("X-Behave", request[2])
                        .method(method, body);
                if (seq.hashCode() % 5 == 0 && !method.equals("GET")) {
                    builder.header("Idempotency-Key", seq); // not a licence to retry unless switched on
                }
                try (Response response = client.newCall(builder.build()).execute()) {
                    response.body().bytes();
                    statuses.put(seq, response.code());
                } catch (IOException e) {
                    clientFailures.add(seq + " " + method + " " + request[2] + ": " + e);
                }
            }));
        }
        for (Future<?> future : futures) {
            future.get(50, TimeUnit.SECONDS);
        }
        workers.shutdown();
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        List<String> twice = new ArrayList<>();
        int getsRetried = 0;
        int reached = 0;
        for (String[] request : plan) {
            int count = arrivals.getOrDefault(request[0], new AtomicInteger()).get();
            reached += count > 0 ? 1 : 0;
            if (request[1].equals("GET")) {
                getsRetried += count > 1 ? 1 : 0;
            } else if (count > 1) {
                twice.add(request[1] + " " + request[0] + " (" + request[2] + ") reached a backend " + count + " times");
            }
            if (!request[1].equals("GET") && Integer.valueOf(200).equals(statuses.get(request[0])) && count != 1) {
                twice.add(request[1] + " " + request[0] + " answered 200 but reached a backend " + count + " times");
            }
        }
        Map<String, Integer> attemptErrors = attemptErrorKinds();
        String summary = "in " + elapsedMillis + " ms: " + reached + " of " + REQUESTS + " reached a backend; "
                + getsRetried + " GETs retried; backend behaviours " + new TreeMap<>(counts(behaviourSeen))
                + "; attempt errors " + attemptErrors + "; statuses " + histogram(statuses);
        System.out.println("[no-double-execution] " + summary);

        assertThat(twice).as(summary).isEmpty();
        assertThat(clientFailures).as("every request got an answer").isEmpty();
        assertThat(statuses).hasSize(REQUESTS);
        // the failures were real: each kind happened, and idempotent requests were retried through them
        assertThat(getsRetried).as(summary).isPositive();
        assertThat(attemptErrors.keySet()).as(summary)
                .contains("connect failed", "timeout", "reset (injected)", "breaker open", "status 5xx", "broken");
        for (String behaviour : BEHAVIOURS) {
            assertThat(behaviourSeen).as(summary).containsKey(behaviour);
        }
    }

    /** One connection of a backend: requests one after another, each treated as its X-Behave header says. */
    private void serve(ScriptedBackend.Connection connection) throws Exception {
        while (true) {
            ScriptedBackend.Head head = connection.readHead();
            if (head == null) {
                return;
            }
            String seq = head.header("X-Request-Id");
            arrivals.computeIfAbsent(seq, s -> new AtomicInteger()).incrementAndGet();
            String behaviour = head.header("X-Behave");
            behaviourSeen.computeIfAbsent(behaviour, b -> new AtomicInteger()).incrementAndGet();
            if (behaviour.equals("reset-before-body")) {
                connection.reset();
                return;
            }
            if (!connection.readBody(head).complete()) {
                return;
            }
            switch (behaviour) {
                case "reset-after-body" -> {
                    connection.reset();
                    return;
                }
                case "stall" -> {
                    connection.peerClosed(); // until the proxy gives up, past the try timeout: then it dies unanswered
                    connection.close();
                    return;
                }
                case "close-without-answer" -> {
                    connection.close();
                    return;
                }
                case "500", "503" -> connection.write("HTTP/1.1 " + behaviour + " Failing\r\nContent-Length: 0\r\n\r\n");
                default -> connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        }
    }

    /** What went wrong in the attempts the journal recorded, by kind. */
    private Map<String, Integer> attemptErrorKinds() throws InterruptedException {
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, REQUESTS, Duration.ofSeconds(10));
        Map<String, Integer> kinds = new TreeMap<>();
        for (JournalEntry entry : entries) {
            for (Attempt attempt : entry.attempts()) {
                String kind;
                if (attempt.error() == null) {
                    kind = attempt.status() != null && attempt.status() >= 500 ? "status 5xx" : "answered";
                } else if (attempt.error().startsWith("connect")) {
                    kind = "connect failed";
                } else if (attempt.error().equals("timeout") || attempt.error().equals("reset (injected)")
                        || attempt.error().equals("breaker open")) {
                    kind = attempt.error();
                } else {
                    kind = "broken";
                }
                kinds.merge(kind, 1, Integer::sum);
            }
        }
        return kinds;
    }

    private static Map<String, Integer> counts(Map<String, AtomicInteger> counters) {
        Map<String, Integer> plain = new TreeMap<>();
        counters.forEach((key, value) -> plain.put(key, value.get()));
        return plain;
    }

    private static Map<Integer, Integer> histogram(Map<String, Integer> statuses) {
        Map<Integer, Integer> histogram = new TreeMap<>();
        statuses.values().forEach(status -> histogram.merge(status, 1, Integer::sum));
        return histogram;
    }
}
