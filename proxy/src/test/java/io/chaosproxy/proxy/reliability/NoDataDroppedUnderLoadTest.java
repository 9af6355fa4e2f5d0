package io.chaosproxy.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.reliability.support.Bodies;
import io.chaosproxy.proxy.reliability.support.ControlClient;
import io.chaosproxy.proxy.reliability.support.DigestBackend;
import io.chaosproxy.proxy.testing.RawHttp;
import io.chaosproxy.proxy.testing.RawHttp.Body;
import io.chaosproxy.proxy.testing.RawHttp.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Toxiproxy's "no data dropped", for HTTP: 200 concurrent connections move bodies of every size
 * from 0 B to 8 MiB both ways, fixed-length and chunked (and, for some, delimited by the end of a
 * {@code Connection: close} connection), while fault rules come and go through the
 * control API. Latency and bandwidth rules apply to everyone; error, drop, hang and upstream
 * failures only to requests marked {@code X-Sacrificial: yes}. Every body is checked by SHA-256 at
 * the backend (request) and at the client (response).
 *
 * <p>Unmarked exchanges must all succeed, byte-exact, reaching the backend exactly once. Marked
 * ones may fail, but only visibly: a complete 200 is always byte-exact, and a POST or PATCH never
 * reaches the backend twice. Every exchange sent is in the journal exactly once.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NoDataDroppedUnderLoadTest {
    private static final long SEED = 7_2026L;
    private static final int CONNECTIONS = 200;
    private static final int EXCHANGES_PER_CONNECTION = 6;
    private static final int MIB = 1024 * 1024;
    /** A run that takes longer than this is a failure in itself (it normally takes a few seconds). */
    private static final Duration RUN_LIMIT = Duration.ofSeconds(45);
    private static final String MARK = "X-Sacrificial: yes";
    private static final String MARKED = "{\"headers\":{\"X-Sacrificial\":\"yes\"}}";

    /** Rules the churn thread adds and removes; the first three touch every request, the rest only marked ones. */
    private static final List<String> RULES = List.of(
            "{'type':'latency','delayMs':15,'jitterMs':10,'probability':0.5}",
            "{'type':'latency','delayMs':10,'target':'upstream','probability':0.3}",
            "{'type':'bandwidth','bytesPerSecond':8388608,'probability':0.3}",
            "{'type':'error','status':503,'match':" + MARKED + ",'probability':0.5}",
            "{'type':'drop','mode':'reset','match':" + MARKED + ",'probability':0.5}",
            "{'type':'drop','when':'mid-body','afterBytes':3000,'mode':'close','match':" + MARKED + "}",
            "{'type':'drop','when':'after-headers','mode':'reset','match':" + MARKED + ",'probability':0.5}",
            "{'type':'error','status':502,'target':'upstream','match':" + MARKED + ",'probability':0.5}",
            "{'type':'drop','target':'upstream','match':" + MARKED + ",'probability':0.5}",
            "{'type':'hang','durationMs':150,'match':" + MARKED + ",'probability':0.3}");

    private final DigestBackend backend = new DigestBackend();
    private ChaosProxyServer proxy;
    private ControlClient control;

    @BeforeEach
    void start() throws Exception {
        backend.start();
        proxy = ChaosProxyServer.builder()
                .upstream(backend.url().toString())
                // upstream faults on sacrificial requests are real failures to a breaker, which would
                // then open for everyone; this test is about bytes, so no breaker
                .resilience(ResilienceSettings.builder().breakerFailures(0).build())
                .control("127.0.0.1:0")
                .journalCapacity(50_000)
                .seed(SEED)
                .build()
                .start();
        control = new ControlClient(proxy.controlUrl(), null);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    /** One planned exchange and what came of it. */
    private record Planned(String seq, String method, boolean marked, Body requestBody, long responseLength,
                           long responseSeed, boolean responseChunked, boolean connectionClose) {}

    private record Result(Planned planned, Outcome outcome) {}

    @Test
    void everyUnmarkedExchangeArrivesByteExactWhileRulesChurn() throws Exception {
        List<Result> results = new CopyOnWriteArrayList<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong bytesUp = new AtomicLong();
        AtomicLong bytesDown = new AtomicLong();
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();

        Thread churn = new Thread(() -> churnRules(running, problems), "rule-churn");
        Thread hammer = new Thread(() -> hammerControlApi(running, problems), "control-hammer");
        churn.start();
        hammer.start();

        CountDownLatch done = new CountDownLatch(CONNECTIONS);
        long started = System.nanoTime();
        for (int w = 0; w < CONNECTIONS; w++) {
            int worker = w;
            Thread thread = new Thread(() -> {
                try {
                    runConnection(worker, deadline, results, problems, bytesUp, bytesDown);
                } catch (Throwable t) {
                    problems.add("worker " + worker + " crashed: " + t);
                } finally {
                    done.countDown();
                }
            }, "load-" + w);
            thread.setDaemon(true);
            thread.start();
        }
        boolean finished = done.await(RUN_LIMIT.toSeconds() + 10, TimeUnit.SECONDS);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        running.set(false);
        churn.join(5_000);
        hammer.join(5_000);
        assertThat(control.delete("/faults").status()).isEqualTo(204);
        assertThat(finished).as("all connections finished within the run limit").isTrue();

        int sent = results.size();
        Map<String, Result> bySeq = new HashMap<>();
        int unmarked = 0;
        int markedFailed = 0;
        int markedErrorStatus = 0;
        for (Result result : results) {
            bySeq.put(result.planned().seq(), result);
            Planned planned = result.planned();
            Outcome outcome = result.outcome();
            int arrivals = backend.arrivals(planned.seq());
            if (!planned.marked()) {
                unmarked++;
                if (!outcome.isComplete() || outcome.status() != 200) {
                    problems.add("unmarked " + describe(result) + " did not succeed");
                } else {
                    checkBodies(result, problems);
                }
                if (arrivals != 1) {
                    problems.add("unmarked " + describe(result) + " reached the backend " + arrivals + " times");
                }
            } else {
                if (outcome.isComplete() && outcome.status() == 200) {
                    checkBodies(result, problems); // a marked exchange may fail, but never silently
                } else if (outcome.isComplete()) {
                    markedErrorStatus++;
                } else {
                    markedFailed++;
                }
                boolean neverRetried = planned.method().equals("POST") || planned.method().equals("PATCH");
                if (neverRetried && arrivals > 1) {
                    problems.add("marked " + describe(result) + " reached the backend " + arrivals + " times");
                }
            }
        }
        problems.addAll(backend.mismatches());

        // the journal: every exchange sent, exactly once, and nothing else
        List<JournalEntry> journal = proxy.journal().await(JournalQuery.ALL, sent, Duration.ofSeconds(15));
        Map<String, Integer> journaled = new ConcurrentHashMap<>();
        for (JournalEntry entry : journal) {
            journaled.merge(entry.requestId(), 1, Integer::sum);
        }
        for (String seq : bySeq.keySet()) {
            Integer count = journaled.get("load-" + seq);
            if (count == null || count != 1) {
                problems.add("exchange " + seq + " is in the journal " + (count == null ? 0 : count) + " times");
            }
        }

        String summary = String.format("%d exchanges (%d unmarked, %d marked: %d failed visibly, %d error statuses) on %d"
                        + " connections in %d ms; %d MiB up, %d MiB down; backend received %d MiB, sent %d MiB",
                sent, unmarked, sent - unmarked, markedFailed, markedErrorStatus, CONNECTIONS, elapsedMillis,
                bytesUp.get() / MIB, bytesDown.get() / MIB, backend.bytesIn() / MIB, backend.bytesOut() / MIB);
        System.out.println("[no-data-dropped] " + summary);
        assertThat(problems).as(summary).isEmpty();
        assertThat(sent).as(summary).isEqualTo(CONNECTIONS * EXCHANGES_PER_CONNECTION);
        assertThat(proxy.journal().size()).as("journal size equals the exchanges sent").isEqualTo(sent);
        assertThat(markedFailed + markedErrorStatus).as("the sacrificial rules did fire: " + summary).isPositive();
    }

    private void runConnection(int worker, long deadline, List<Result> results, List<String> problems,
                               AtomicLong bytesUp, AtomicLong bytesDown) {
        Random random = new Random(SEED * 31 + worker);
        RawHttp client = null;
        try {
            for (int i = 0; i < EXCHANGES_PER_CONNECTION; i++) {
                if (System.nanoTime() > deadline) {
                    problems.add("worker " + worker + " ran out of time after " + i + " exchanges");
                    return;
                }
                Planned planned = plan(worker, i, random);
                if (client == null) {
                    client = new RawHttp(proxy.url(), 30_000);
                }
                List<String> head = new ArrayList<>(List.of(
                        "Host: load.test",
                        "X-Request-Id: load-" + planned.seq(),
                        "X-Seq: " + planned.seq(),
                        "X-Want-Len: " + planned.responseLength(),
                        "X-Want-Seed: " + planned.responseSeed(),
                        "X-Want-Chunked: " + (planned.responseChunked() ? "1" : "0")));
                if (planned.requestBody() != null) {
                    head.add("X-Body-Len: " + planned.requestBody().length());
                    head.add("X-Body-Sha256: " + Bodies.sha256(planned.requestBody().seed(), planned.requestBody().length()));
                    bytesUp.addAndGet(planned.requestBody().length());
                }
                if (planned.marked()) {
                    head.add(MARK);
                }
                if (planned.connectionClose()) {
                    head.add("Connection: close"); // a body of unknown length then ends with the connection
                }
                Outcome outcome = client.exchange(planned.method(), "/load/" + planned.seq(), head, planned.requestBody());
                bytesDown.addAndGet(outcome.bodyLength());
                results.add(new Result(planned, outcome));
                // a marked exchange may leave the connection in any state: start the next one afresh
                if (planned.marked() || planned.connectionClose() || !outcome.isComplete() || outcome.connectionClose()) {
                    client.close();
                    client = null;
                }
            }
        } catch (Exception e) {
            problems.add("worker " + worker + " could not connect: " + e);
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    /** Methods, sizes and framings drawn from the worker's seeded generator; a few 8 MiB bodies for sure. */
    private static Planned plan(int worker, int index, Random random) {
        String seq = worker + "-" + index;
        String method = pick(random, new String[] {"GET", "GET", "GET", "POST", "POST", "POST", "PUT", "PUT", "PATCH",
                "DELETE", "HEAD"});
        boolean hasBody = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
        long requestLength = size(random);
        long responseLength = size(random);
        boolean requestChunked = random.nextBoolean();
        boolean responseChunked = random.nextBoolean();
        boolean marked = random.nextInt(100) < 15;
        if (index == 0 && worker < 4) {
            // the extremes, certainly: 8 MiB up and down, every framing, never sacrificed
            method = worker % 2 == 0 ? "POST" : "PUT";
            hasBody = true;
            requestLength = 8L * MIB;
            responseLength = 8L * MIB;
            requestChunked = worker < 2;
            responseChunked = worker % 2 == 1;
            marked = false;
        }
        Body body = hasBody ? new Body(random.nextLong(), requestLength, requestChunked) : null;
        // unmarked only: a drop fault with mode close cuts such a body with a FIN, which a client cannot tell from its end
        boolean connectionClose = !marked && random.nextInt(10) == 0;
        return new Planned(seq, method, marked, body, responseLength, random.nextLong(), responseChunked, connectionClose);
    }

    /** Mostly small, some large, rarely huge: 0 B to 8 MiB, a few hundred MiB in all. */
    private static long size(Random random) {
        int bucket = random.nextInt(100);
        if (bucket < 10) {
            return 0;
        } else if (bucket < 55) {
            return random.nextInt(4 * 1024);
        } else if (bucket < 88) {
            return 4 * 1024 + random.nextInt(124 * 1024);
        } else if (bucket < 99) {
            return 128 * 1024 + random.nextInt(896 * 1024);
        }
        return MIB + random.nextInt(7 * MIB + 1);
    }

    private static String pick(Random random, String[] options) {
        return options[random.nextInt(options.length)];
    }

    private static void checkBodies(Result result, List<String> problems) {
        Planned planned = result.planned();
        Outcome outcome = result.outcome();
        Body sent = planned.requestBody();
        String expectedGot = sent == null ? "0 " + Bodies.sha256(0, 0) : sent.length() + " " + Bodies.sha256(sent.seed(), sent.length());
        if (!expectedGot.equals(outcome.header("X-Got"))) {
            problems.add(describe(result) + ": backend got " + outcome.header("X-Got") + ", expected " + expectedGot);
        }
        if (!planned.seq().equals(outcome.header("X-Seq"))) {
            problems.add(describe(result) + ": answer belongs to exchange " + outcome.header("X-Seq"));
        }
        if (!("load-" + planned.seq()).equals(outcome.header("X-Request-Id"))) {
            problems.add(describe(result) + ": request id came back as " + outcome.header("X-Request-Id"));
        }
        if (planned.method().equals("HEAD")) {
            if (outcome.bodyLength() != 0) {
                problems.add(describe(result) + ": HEAD answered with a body");
            }
            return;
        }
        if (outcome.bodyLength() != planned.responseLength()) {
            problems.add(describe(result) + ": response body was " + outcome.bodyLength() + " bytes");
        } else if (!outcome.bodySha256().equals(Bodies.sha256(planned.responseSeed(), planned.responseLength()))) {
            problems.add(describe(result) + ": response body digest differs");
        }
    }

    private static String describe(Result result) {
        Planned p = result.planned();
        Outcome o = result.outcome();
        return p.method() + " #" + p.seq() + " (up " + (p.requestBody() == null ? "-" : p.requestBody().length()
                + (p.requestBody().chunked() ? " chunked" : " fixed")) + ", down " + p.responseLength()
                + (p.responseChunked() ? " chunked" : " fixed") + (p.connectionClose() ? ", Connection: close" : "") + ") -> " + o.status()
                + (o.isComplete() ? "" : " incomplete") + (o.failure() == null ? "" : " " + o.failure());
    }

    /** Adds and removes rules through the control API while the traffic flows; every call must succeed. */
    private void churnRules(AtomicBoolean running, List<String> problems) {
        Random random = new Random(SEED);
        List<String> active = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        int calls = 0;
        try {
            while (running.get()) {
                if (active.size() < 5 && (active.isEmpty() || random.nextInt(3) > 0)) {
                    String rule = RULES.get(random.nextInt(RULES.size())).replace('\'', '"');
                    ControlClient.Reply reply = control.post("/faults", rule);
                    if (reply.status() != 201) {
                        problems.add("POST /faults " + rule + " -> " + reply.status() + " " + reply.body());
                    } else {
                        active.add(json.readTree(reply.body()).get("id").asText());
                    }
                } else {
                    String id = active.remove(random.nextInt(active.size()));
                    ControlClient.Reply reply = control.delete("/faults/" + id);
                    if (reply.status() != 204 && reply.status() != 404) { // 404: a "times" rule may be gone already
                        problems.add("DELETE /faults/" + id + " -> " + reply.status() + " " + reply.body());
                    }
                }
                calls++;
                Thread.sleep(10 + random.nextInt(20));
            }
        } catch (Exception e) {
            problems.add("rule churn failed after " + calls + " calls: " + e);
        }
        if (calls < 10) {
            problems.add("only " + calls + " rule changes during the run");
        }
    }

    /** Reads status, journal and metrics in a loop while the traffic flows: the API must keep answering. */
    private void hammerControlApi(AtomicBoolean running, List<String> problems) {
        String[] paths = {"/status", "/faults", "/requests?limit=3", "/metrics", "/health"};
        AtomicInteger calls = new AtomicInteger();
        try {
            while (running.get()) {
                String path = paths[calls.getAndIncrement() % paths.length];
                ControlClient.Reply reply = control.get(path);
                if (reply.status() != 200) {
                    problems.add("GET " + path + " -> " + reply.status() + " " + reply.body());
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            problems.add("control API hammer failed after " + calls.get() + " calls: " + e);
        }
    }
}
