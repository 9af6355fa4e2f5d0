package io.chaosproxy.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.reliability.support.Bodies;
import io.chaosproxy.proxy.reliability.support.ControlClient;
import io.chaosproxy.proxy.reliability.support.DigestBackend;
import io.chaosproxy.proxy.resilience.BreakerState;
import io.chaosproxy.proxy.testing.RawHttp;
import io.chaosproxy.proxy.testing.RawHttp.Body;
import io.chaosproxy.proxy.testing.RawHttp.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults on the proxy's own surroundings: its backend restarting under load, its control API
 * hammered while traffic flows, and a reset after a storm of rules and a scenario, after which
 * 10,000 requests must see no fault at all.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyUnderDuressTest {
    private static final int CLIENTS = 16;

    private final DigestBackend backend = new DigestBackend();
    private ChaosProxyServer proxy;
    private ControlClient control;

    private void start(ResilienceSettings settings) throws Exception {
        backend.start();
        proxy = ChaosProxyServer.builder()
                .upstream(backend.url().toString())
                .control("127.0.0.1:0")
                .resilience(settings)
                .journalCapacity(20_000)
                .seed(11)
                .build()
                .start();
        control = new ControlClient(proxy.controlUrl(), null);
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
    }

    @Test
    void aBackendRestartedUnderLoadIsReconnectedAndItsBreakerRecovers() throws Exception {
        start(ResilienceSettings.builder().maxAttempts(2).breakerFailures(3).breakerCooldown(Duration.ofMillis(300))
                .backoff(Duration.ofMillis(1), Duration.ofMillis(5)).build());
        AtomicInteger phase = new AtomicInteger(0); // 0 up, 4 stopping, 1 down, 3 restarting, 2 recovered
        Map<Integer, Map<Integer, Integer>> statusesByPhase = new ConcurrentHashMap<>();
        List<String> corrupt = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> load = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            Thread thread = new Thread(() -> {
                int n = 0;
                RawHttp connection = null;
                while (running.get()) {
                    String seq = "r" + client + "-" + n++;
                    boolean post = n % 3 == 0;
                    Body body = post ? new Body(n, 20_000, n % 2 == 0) : null;
                    List<String> head = new ArrayList<>(List.of("Host: x", "X-Seq: " + seq, "X-Want-Len: 10000", "X-Want-Seed: 7"));
                    if (body != null) {
                        head.add("X-Body-Len: " + body.length());
                        head.add("X-Body-Sha256: " + Bodies.sha256(body.seed(), body.length()));
                    }
                    int during = phase.get();
                    try {
                        if (connection == null) {
                            connection = new RawHttp(proxy.url(), 10_000);
                        }
                        Outcome outcome = connection.exchange(post ? "POST" : "GET", "/restart/" + seq, head, body);
                        // an exchange that straddles a change of phase belongs to neither (key 9)
                        int phaseOf = phase.get() == during ? during : 9;
                        statusesByPhase.computeIfAbsent(phaseOf, p -> new ConcurrentHashMap<>()).merge(outcome.status(), 1, Integer::sum);
                        if (outcome.isComplete() && outcome.status() == 200
                                && !outcome.bodySha256().equals(Bodies.sha256(7, 10_000))) {
                            corrupt.add(seq);
                        }
                        if (!outcome.isComplete() || outcome.connectionClose()) {
                            connection.close();
                            connection = null;
                        }
                    } catch (Exception e) {
                        statusesByPhase.computeIfAbsent(phase.get() == during ? during : 9, p -> new ConcurrentHashMap<>())
                                .merge(-1, 1, Integer::sum);
                    }
                }
                if (connection != null) {
                    connection.close();
                }
            }, "restart-load-" + c);
            thread.start();
            load.add(thread);
        }
        await("a hundred exchanges while the backend is up").atMost(Duration.ofSeconds(20))
                .until(() -> answered(statusesByPhase, 0) >= 100);
        int port = backend.port();
        phase.set(4);
        backend.stop();              // the backend dies under load...
        phase.set(1);
        await("the breaker opened and answers 503 at once").atMost(Duration.ofSeconds(20))
                .until(() -> breakerState() != BreakerState.CLOSED
                        && statusesByPhase.getOrDefault(1, Map.of()).containsKey(503));
        phase.set(3);
        backend.start(port);         // ...and comes back on the same port
        long restarted = System.nanoTime();
        // recovery: the next probe after the cooldown closes the breaker
        await("the breaker closed again").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                .until(() -> breakerState() == BreakerState.CLOSED);
        long recoveredMillis = (System.nanoTime() - restarted) / 1_000_000;
        // An exchange started before this counts as phase 3 (or 9 if it ends after): phase 2 holds
        // only exchanges decided once the breaker had closed.
        phase.set(2);
        await("over a hundred exchanges after recovery").atMost(Duration.ofSeconds(20))
                .until(() -> answered(statusesByPhase, 2) > 100);
        running.set(false);
        for (Thread thread : load) {
            thread.join(10_000);
        }
        String summary = "statuses by phase (0 up, 4 stopping, 1 down, 3 restarting, 2 recovered, 9 across a change) " + new TreeMap<>(statusesByPhase)
                + "; breaker closed " + recoveredMillis + " ms after the restart";
        System.out.println("[backend-restart] " + summary);
        assertThat(corrupt).isEmpty();
        assertThat(statusesByPhase.get(0)).as(summary).containsOnlyKeys(200);
        assertThat(statusesByPhase.get(1)).as("while down: 502 (unreachable) or 503 (breaker open), and an answer at once: " + summary)
                .containsKey(503).doesNotContainKey(200).doesNotContainKey(-1);
        assertThat(statusesByPhase.get(2)).as("after recovery, every request succeeds: " + summary).containsOnlyKeys(200);
        assertThat(statusesByPhase.get(2).get(200)).as(summary).isGreaterThan(100);
        assertThat(recoveredMillis).as(summary).isLessThan(3_000);
        assertThat(backend.mismatches()).isEmpty();
    }

    @Test
    void afterAResetTenThousandRequestsSeeNoFault() throws Exception {
        start(ResilienceSettings.builder().breakerCooldown(Duration.ofSeconds(30)).build());
        for (String rule : List.of("{'type':'error','status':503}", "{'type':'drop','mode':'reset','probability':0.5}",
                "{'type':'latency','delayMs':300}", "{'type':'hang'}", "{'type':'bandwidth','bytesPerSecond':10}",
                "{'type':'error','status':502,'target':'upstream'}", "{'type':'drop','when':'mid-body','afterBytes':1}",
                "[{'type':'latency','delayMs':5,'target':'upstream'},{'type':'error','status':500,'after':1}]")) {
            assertThat(control.post("/faults", rule.replace('\'', '"')).status()).isEqualTo(201);
        }
        assertThat(control.post("/scenarios", "{\"name\":\"outage\"}").status()).isEqualTo(201);
        try (RawHttp client = new RawHttp(proxy.url(), 5_000)) {
            assertThat(client.exchange("GET", "/before-reset", List.of("Host: x"), null).status()).as("the faults do fire").isNotEqualTo(200);
        }
        assertThat(proxy.journal().await(JournalQuery.ALL.withPath("/before-reset"), 1, Duration.ofSeconds(5))).hasSize(1);
        long firedBefore = proxy.metrics().counts().faultsFired();

        assertThat(control.post("/reset", null).status()).isEqualTo(204);

        int total = 10_000;
        int threads = 20;
        AtomicInteger next = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicLong slowest = new AtomicLong();
        CountDownLatch done = new CountDownLatch(threads);
        long started = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            new Thread(() -> {
                try (RawHttp client = new RawHttp(proxy.url(), 10_000)) {
                    int i;
                    while ((i = next.getAndIncrement()) < total) {
                        long t0 = System.nanoTime();
                        Outcome outcome = client.exchange("GET", "/after-reset/" + i,
                                List.of("Host: x", "X-Want-Len: 100", "X-Want-Seed: 3"), null);
                        slowest.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                        if (!outcome.isComplete() || outcome.status() != 200 || outcome.bodyLength() != 100) {
                            failures.add(i + ": " + outcome);
                            return;
                        }
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                } finally {
                    done.countDown();
                }
            }, "after-reset-" + t).start();
        }
        assertThat(done.await(45, TimeUnit.SECONDS)).isTrue();
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("[after-reset] " + total + " requests in " + millis + " ms, slowest " + slowest.get() + " ms");
        assertThat(failures).isEmpty();
        List<JournalEntry> journal = proxy.journal().await(JournalQuery.ALL, total, Duration.ofSeconds(10));
        assertThat(journal).hasSize(total);
        assertThat(journal).allSatisfy(entry -> {
            assertThat(entry.faults()).isEmpty();
            assertThat(entry.status()).isEqualTo(200);
            assertThat(entry.attempts()).hasSize(1);
        });
        assertThat(proxy.metrics().counts().faultsFired()).as("no rule fired after the reset").isEqualTo(firedBefore);
    }

    @Test
    void theControlApiHammeredWhileTrafficFlowsKeepsAnsweringAndTrafficKeepsFlowing() throws Exception {
        start(ResilienceSettings.defaults());
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicInteger trafficServed = new AtomicInteger();
        AtomicInteger controlCalls = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(new Thread(() -> {
                try (RawHttp client = new RawHttp(proxy.url(), 10_000)) {
                    while (running.get()) {
                        Outcome outcome = client.exchange("GET", "/traffic", List.of("Host: x", "X-Want-Len: 1000", "X-Want-Seed: 1"), null);
                        if (!outcome.isComplete() || outcome.status() != 200) {
                            problems.add("traffic: " + outcome);
                            return;
                        }
                        trafficServed.incrementAndGet();
                    }
                } catch (Exception e) {
                    problems.add("traffic: " + e);
                }
            }));
        }
        for (int t = 0; t < 4; t++) {
            int hammer = t;
            threads.add(new Thread(() -> {
                int i = 0;
                while (running.get()) {
                    i++;
                    try {
                        switch (i % 6) {
                            case 0 -> {
                                // a rule for a path the traffic never takes: installed and removed, over and over
                                ControlClient.Reply created = control.post("/faults",
                                        "{\"type\":\"error\",\"status\":500,\"match\":{\"path\":\"/elsewhere/" + hammer + "/**\"}}");
                                expect(created, 201, problems);
                                String id = created.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
                                expect(control.delete("/faults/" + id), 204, problems);
                            }
                            case 1 -> expect(control.get("/status"), 200, problems);
                            case 2 -> expect(control.get("/requests?limit=20"), 200, problems);
                            case 3 -> expect(control.get("/metrics"), 200, problems);
                            case 4 -> expect(control.get("/faults"), 200, problems);
                            default -> expect(control.get("/proxies/default"), 200, problems);
                        }
                        controlCalls.incrementAndGet();
                    } catch (Exception e) {
                        problems.add("control: " + e);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        Thread.sleep(2_500);
        running.set(false);
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        System.out.println("[control-hammer] " + controlCalls.get() + " control calls and " + trafficServed.get()
                + " proxied requests in 2.5 s");
        assertThat(problems).isEmpty();
        // floors that only say both kept going; the point is that nothing above failed
        assertThat(controlCalls.get()).isGreaterThan(50);
        assertThat(trafficServed.get()).isGreaterThan(100);
        assertThat(proxy.faults().rules()).isEmpty();
    }

    private BreakerState breakerState() {
        return proxy.proxies().get(0).backends().get(0).breaker().state();
    }

    private static int answered(Map<Integer, Map<Integer, Integer>> statusesByPhase, int phase) {
        return statusesByPhase.getOrDefault(phase, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
    }

    private static void expect(ControlClient.Reply reply, int status, List<String> problems) {
        if (reply.status() != status) {
            problems.add("control: expected " + status + ", got " + reply.status() + " " + reply.body());
        }
    }
}
