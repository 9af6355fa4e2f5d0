package io.chaosproxy.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.LoopbackJetty;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Backoff between attempts is full jitter under the cap, and it is waited on the scheduler: two
 * hundred exchanges in backoff hold no thread.
 *
 * <p>Thread counts only mean something if nothing else in the JVM spends a thread per connection,
 * so the backends here are Jetty servers on a small pool and the client is the JDK's non-blocking
 * {@link HttpClient}, instead of MockWebServer and OkHttp. And the live count alone says little:
 * the proxy's pools grow in a burst and keep idle threads for a minute. What a sleeping backoff
 * would show is busy threads, one per waiting exchange, so that is what is counted (after one warm-up
 * burst, so that opening connections is not counted either).
 */
class BackoffTest {
    private static final int REQUESTS = 200;
    private static final long BACKOFF_MS = 800;

    private final List<LoopbackJetty> backends = new ArrayList<>();
    private final ExecutorService clientThreads = Executors.newFixedThreadPool(2);
    private final Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();
    private final AtomicInteger upstreamRequests = new AtomicInteger();
    private ChaosProxyServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        for (LoopbackJetty backend : backends) {
            backend.close();
        }
        clientThreads.shutdownNow();
    }

    @Test
    void twoHundredExchangesInBackoffHoldNoThreadAndWaitAJitteredBoundedTime() throws Exception {
        startProxyOverTwoBackendsAnswering503(ResilienceSettings.builder()
                .maxAttempts(3)
                .backoff(Duration.ofMillis(BACKOFF_MS), Duration.ofMillis(BACKOFF_MS)) // each wait uniform in 0-800 ms
                .retryBudget(10, 1000, Duration.ofSeconds(10))
                .breakerFailures(0)
                .build());
        HttpClient client = HttpClient.newBuilder().executor(clientThreads).version(HttpClient.Version.HTTP_1_1).build();
        warmUpstreamConnections(client);
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        long finishedBefore = server.journal().size();
        // the proxy's own view: exchanges that reached a backend and are not yet in the journal
        IntSupplier inFlight = () -> (int) (arrivals.size() - (server.journal().size() - finishedBefore));
        // every first attempt has reached a backend: from here on the exchanges wait out their backoffs
        BooleanSupplier backoffPhase = () -> upstreamRequests.get() >= REQUESTS;
        ThreadSampler sampler = new ThreadSampler(inFlight, backoffPhase);

        long start = System.nanoTime();
        sampler.start();
        for (int i = 0; i < REQUESTS; i++) {
            HttpRequest request = HttpRequest.newBuilder(server.url().resolve("/backoff/" + i))
                    .timeout(Duration.ofSeconds(20)).build();
            replies.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        long wallMillis = (System.nanoTime() - start) / 1_000_000;
        sampler.stop();

        assertThat(replies).allSatisfy(reply -> assertThat(reply.join().statusCode()).isEqualTo(503));
        assertThat(upstreamRequests.get()).isEqualTo(3 * REQUESTS);
        List<Long> gaps = gapsBetweenAttemptsMillis();
        double meanGap = gaps.stream().mapToLong(Long::longValue).average().orElseThrow();
        System.out.printf("backoff: wall %d ms; gap between attempts mean %.0f ms, min %d, max %d; "
                        + "in the backoff phase: most exchanges in flight %d, live threads %d (baseline %d), "
                        + "busy threads median %d, peak %d (baseline %d) over %d samples; waiting in proxy code: %d%n",
                wallMillis, meanGap, gaps.stream().min(Long::compare).orElseThrow(),
                gaps.stream().max(Long::compare).orElseThrow(), sampler.mostInFlight, sampler.peakLive,
                sampler.baselineLive, sampler.medianBusy(), sampler.peakBusy, sampler.baselineBusy,
                sampler.busyWhileManyWait.size(), sampler.mostWaitingInProxy);

        assertThat(gaps).hasSize(2 * REQUESTS);
        assertThat(meanGap).as("full jitter in 0-800 ms averages 400 ms").isGreaterThanOrEqualTo(BACKOFF_MS * 0.4);
        assertThat(meanGap).as("jittered, not a fixed 800 ms").isLessThan(BACKOFF_MS * 0.5 + 250);
        assertThat(gaps).as("bounded by the cap, plus a loaded machine's slack").allSatisfy(gap ->
                assertThat(gap).isLessThan(BACKOFF_MS + 1500));
        assertThat(sampler.mostInFlight).as("exchanges waiting at the same moment").isGreaterThanOrEqualTo(REQUESTS / 2);
        assertThat(sampler.mostWaitingInProxy).as("threads sleeping or parked by the proxy's own code: %s",
                sampler.firstWaitingInProxy).isZero();
        assertThat(sampler.busyWhileManyWait).as("samples taken while 100+ exchanges waited").hasSizeGreaterThanOrEqualTo(3);
        // a backoff slept on a thread costs one busy thread per waiting exchange; here they cost none
        assertThat(sampler.medianBusy() - sampler.baselineBusy)
                .as("busy threads beyond the baseline while %d exchanges wait", sampler.mostInFlight)
                .isLessThan(sampler.mostInFlight / 2);
        assertThat(wallMillis).as("the waits overlap instead of queueing").isLessThan(10_000);
    }

    private void startProxyOverTwoBackendsAnswering503(ResilienceSettings settings) throws Exception {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            LoopbackJetty backend = LoopbackJetty.builder(new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    if (Request.getPathInContext(request).startsWith("/warm")) {
                        response.setStatus(200);
                        response.write(true, null, callback);
                        return true;
                    }
                    String requestId = request.getHeaders().get("X-Request-Id");
                    arrivals.computeIfAbsent(requestId, id -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
                    upstreamRequests.incrementAndGet();
                    response.setStatus(503);
                    response.write(true, null, callback);
                    return true;
                }
            }).threads(new QueuedThreadPool(16, 4)).acceptorsAndSelectors(1, 1).start();
            backends.add(backend);
            urls.add("http://127.0.0.1:" + backend.port() + "/");
        }
        server = ChaosProxyServer.builder().upstream(urls.toArray(String[]::new)).resilience(settings).build().start();
    }

    /**
     * One burst of successful requests first, so the proxy's upstream connections exist before the
     * measured run: otherwise OkHttp opening two hundred connections at once shows up as busy
     * threads that have nothing to do with backoff.
     */
    private void warmUpstreamConnections(HttpClient client) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> warm = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            warm.add(client.sendAsync(HttpRequest.newBuilder(server.url().resolve("/warm/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(warm.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(warm).allSatisfy(reply -> assertThat(reply.join().statusCode()).isEqualTo(200));
        assertThat(server.journal().await(JournalQuery.ALL.withPath("/warm/*"), REQUESTS, Duration.ofSeconds(10)))
                .hasSize(REQUESTS);
    }

    /** From one attempt's arrival at a backend to the next one's: the backoff plus the proxy's own time. */
    private List<Long> gapsBetweenAttemptsMillis() {
        List<Long> gaps = new ArrayList<>();
        for (List<Long> times : arrivals.values()) {
            List<Long> sorted = new ArrayList<>(times);
            sorted.sort(Long::compare);
            for (int i = 1; i < sorted.size(); i++) {
                gaps.add((sorted.get(i) - sorted.get(i - 1)) / 1_000_000);
            }
        }
        return gaps;
    }

    /**
     * Samples every 20 ms: live threads, busy threads (all but those idle in a pool), threads
     * waiting with the proxy's own code on top of their stack, and exchanges in flight.
     */
    private static final class ThreadSampler {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final IntSupplier inFlight;
        private final BooleanSupplier backoffPhase;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final int baselineLive;
        private final int baselineBusy;
        private volatile int peakLive;
        private volatile int peakBusy;
        private volatile int mostWaitingInProxy;
        private volatile int mostInFlight;
        private volatile String firstWaitingInProxy;
        private final List<Integer> busyWhileManyWait = new CopyOnWriteArrayList<>();
        private Thread thread;

        ThreadSampler(IntSupplier inFlight, BooleanSupplier backoffPhase) {
            this.inFlight = inFlight;
            this.backoffPhase = backoffPhase;
            this.baselineLive = threads.getThreadCount();
            this.baselineBusy = busy(snapshot());
        }

        void start() {
            thread = new Thread(() -> {
                while (running.get()) {
                    ThreadInfo[] all = snapshot();
                    mostWaitingInProxy = Math.max(mostWaitingInProxy, waitingInProxy(all));
                    if (backoffPhase.getAsBoolean()) {
                        peakLive = Math.max(peakLive, all.length);
                        int busyNow = busy(all);
                        int inFlightNow = inFlight.getAsInt();
                        peakBusy = Math.max(peakBusy, busyNow);
                        mostInFlight = Math.max(mostInFlight, inFlightNow);
                        if (inFlightNow >= REQUESTS / 2) {
                            busyWhileManyWait.add(busyNow);
                        }
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "backoff-test-sampler");
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        /** Every live thread, 32 frames deep: enough to see a pool's idle wait, cheap enough to sample often. */
        private ThreadInfo[] snapshot() {
            return java.util.Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds(), 32))
                    .filter(java.util.Objects::nonNull)
                    .toArray(ThreadInfo[]::new);
        }

        int medianBusy() {
            List<Integer> sorted = new ArrayList<>(busyWhileManyWait);
            sorted.sort(Integer::compare);
            return sorted.isEmpty() ? Integer.MAX_VALUE : sorted.get(sorted.size() / 2);
        }

        private static boolean isTakingALock(ThreadInfo info) {
            for (StackTraceElement frame : info.getStackTrace()) {
                String method = frame.getClassName() + "." + frame.getMethodName();
                if (method.equals("java.util.concurrent.locks.ReentrantLock.lock")
                        || method.equals("java.util.concurrent.locks.ReentrantLock.lockInterruptibly")) {
                    return true;
                }
            }
            return false;
        }

        /** Threads not parked idle in a pool (OkHttp's executor, Jetty's pool and reserved threads). */
        private static int busy(ThreadInfo[] all) {
            int busy = 0;
            for (ThreadInfo info : all) {
                if (!isIdleInAPool(info.getStackTrace())) {
                    busy++;
                }
            }
            return busy;
        }

        private static boolean isIdleInAPool(StackTraceElement[] stack) {
            for (StackTraceElement frame : stack) {
                String method = frame.getClassName() + "." + frame.getMethodName();
                if (method.equals("java.util.concurrent.ThreadPoolExecutor.getTask")
                        || method.endsWith("QueuedThreadPool$Runner.idleJobPoll")
                        || method.endsWith("ReservedThreadExecutor$ReservedThread.waitForTask")) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Waiting threads whose topmost non-JDK frame is the proxy's: a sleep or a wait the proxy did
         * itself. Taking a contended lock (the scheduler's queue, say) is not waiting out time.
         */
        private int waitingInProxy(ThreadInfo[] all) {
            int waiting = 0;
            for (ThreadInfo info : all) {
                Thread.State state = info.getThreadState();
                if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING || isTakingALock(info)) {
                    continue;
                }
                for (StackTraceElement frame : info.getStackTrace()) {
                    String type = frame.getClassName();
                    if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")) {
                        continue; // Thread.sleep, LockSupport.park, Object.wait and their helpers
                    }
                    if (type.startsWith("io.chaosproxy.proxy.") && !type.startsWith(BackoffTest.class.getName())) {
                        waiting++;
                        if (firstWaitingInProxy == null) {
                            firstWaitingInProxy = info.getThreadName() + " " + java.util.Arrays.toString(info.getStackTrace());
                        }
                    }
                    break; // a library waiting on its own I/O is not the proxy waiting
                }
            }
            return waiting;
        }
    }
}
