package io.chaosproxy.proxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.Bandwidth;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.PatternServer;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bandwidth faults: the response body reaches the client at {@code bytesPerSecond}, never faster,
 * and a throttled stream costs a timer between slices, not a thread.
 */
class BandwidthFaultTest {
    private static final long RATE = 20 * 1024;
    /** The relay moves a twentieth of a second's worth at a time; the first slice goes at once. */
    private static final long SLICE = RATE / 20;
    private static final int BODY = 60 * 1024; // 3 s at RATE
    private static final long SLACK_MS = 1_500;
    /** How long the stalling backend holds back the second half of its body, at most. */
    private static final long STALL_MS = 5_000;

    private final PatternServer backend = new PatternServer();
    private ChaosProxyServer proxy;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        backend.start();
        proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).seed(3).build().start();
        url = proxy.url();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    @Test
    void bodyFlowsAtTheRateNeverFasterWhateverItsFraming() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Bandwidth(RATE)).build());

        // both framings at once: two throttled streams also must not slow each other down
        CompletableFuture<Timeline> sized = CompletableFuture.supplyAsync(() -> download("/bytes/" + BODY));
        CompletableFuture<Timeline> chunked = CompletableFuture.supplyAsync(() -> download("/bytes/" + BODY + "?chunked"));

        for (Timeline timeline : List.of(sized.get(20, TimeUnit.SECONDS), chunked.get(20, TimeUnit.SECONDS))) {
            assertThat(timeline.body()).as("body bytes").hasSize(BODY).isEqualTo(pattern(BODY));
            long floorMs = (BODY - SLICE) * 1000 / RATE;
            long idealMs = BODY * 1000L / RATE;
            assertThat(timeline.totalMs()).as("whole body at %d B/s", RATE).isBetween(floorMs, idealMs + SLACK_MS);
        }
        // never ahead of the rate at any moment (the Content-Length stream, whose bytes on the
        // wire after the head are body bytes and nothing else)
        for (long[] sample : sized.get().samples()) {
            long allowed = RATE * (sample[0] + 1) / 1000 + SLICE; // + 1 ms: the stopwatch truncates
            assertThat(sample[1]).as("body bytes after %d ms", sample[0]).isLessThanOrEqualTo(allowed);
        }
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, 2, Duration.ofSeconds(5));
        assertThat(entries).allSatisfy(entry -> {
            assertThat(entry.status()).isEqualTo(200);
            assertThat(entry.faults()).containsExactly(rule.id());
            assertThat(entry.durationMs()).isGreaterThanOrEqualTo((BODY - SLICE) * 1000 / RATE);
        });
        assertThat(rule.fired()).isEqualTo(2);
    }

    @Test
    void headersArriveAtOnceOnlyTheBodyIsThrottled() throws Exception {
        proxy.inject(FaultRule.builder(new Bandwidth(1024)).build());

        long start = System.nanoTime();
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.getOutputStream().write(("GET /bytes/" + BODY + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] first = new byte[12];
            assertThat(in.readNBytes(first, 0, first.length)).isEqualTo(first.length);
            assertThat(new String(first, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            assertThat(FaultTestSupport.millisSince(start)).as("status line after").isLessThan(SLACK_MS);
        }
    }

    @Test
    void aSmallBodyUnderAFastRateIsNotHeldBack() throws Exception {
        proxy.inject(FaultRule.builder(new Bandwidth(10 * 1024 * 1024)).build());

        long start = System.nanoTime();
        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /bytes/1000 HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.body()).isEqualTo(pattern(1000));
        }
        assertThat(FaultTestSupport.millisSince(start)).isLessThan(SLACK_MS);
    }

    /**
     * The wait between slices is a timer on the scheduler every exchange shares; the next slice
     * must not be read from the backend on that scheduler, or one slow backend would stall every
     * other exchange's latency, backoff and timeout.
     */
    @Test
    void aThrottledStreamWaitingOnASlowBackendStallsNoOtherExchange() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ServerSocket stalling = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread backendThread = new Thread(() -> serveHalfABodyThenStall(stalling, release), "stalling-backend");
            backendThread.setDaemon(true);
            backendThread.start();
            proxy.upstreams(List.of(URI.create("http://127.0.0.1:" + stalling.getLocalPort() + "/")));
            proxy.inject(FaultRule.builder(new Bandwidth(100)).path("/slow").build());
            proxy.inject(FaultRule.builder(new Latency(100)).path("/fast").build());

            try (Socket slow = new Socket(url.getHost(), url.getPort())) {
                slow.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = slow.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n0123456789")) {
                    head.write(in.read());
                }
                // 5-byte slices every 50 ms: the stream is between slices now, and its next read
                // waits on a backend that sends nothing more for STALL_MS

                long start = System.nanoTime();
                try (RawHttp fast = new RawHttp(url)) {
                    fast.send("GET /fast HTTP/1.1\nHost: x", null);
                    assertThat(fast.read(false).status()).isEqualTo(200);
                } finally {
                    release.countDown();
                }
                assertThat(FaultTestSupport.millisSince(start)).as("a 100 ms latency next to a stalled stream").isBetween(95L, 100 + SLACK_MS);
            }
        } finally {
            release.countDown();
        }
    }

    /**
     * Answers {@code /slow} with 10 of its 20 body bytes and the rest only once released (or after
     * {@link #STALL_MS}), and
     * anything else at once; one request per connection.
     */
    private static void serveHalfABodyThenStall(ServerSocket server, CountDownLatch release) {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                Thread handler = new Thread(() -> {
                    try (connection) {
                        InputStream in = connection.getInputStream();
                        ByteArrayOutputStream head = new ByteArrayOutputStream();
                        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                            head.write(in.read());
                        }
                        var out = connection.getOutputStream();
                        if (head.toString(StandardCharsets.ISO_8859_1).startsWith("GET /slow")) {
                            out.write("HTTP/1.1 200 OK\r\nContent-Length: 20\r\nConnection: close\r\n\r\n0123456789"
                                    .getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            release.await(STALL_MS, TimeUnit.MILLISECONDS);
                            out.write("abcdefghij".getBytes(StandardCharsets.US_ASCII));
                        } else {
                            out.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nfast"
                                    .getBytes(StandardCharsets.US_ASCII));
                        }
                        out.flush();
                    } catch (Exception e) {
                        // the test is over or the proxy gave up: nothing to serve
                    }
                });
                handler.setDaemon(true);
                handler.start();
            } catch (Exception e) {
                return;
            }
        }
    }

    private Timeline download(String target) {
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(15_000);
            long start = System.nanoTime();
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            List<long[]> samples = new ArrayList<>();
            byte[] buffer = new byte[4096];
            int n;
            int headLength = -1;
            while ((n = in.read(buffer)) != -1) {
                all.write(buffer, 0, n);
                if (headLength < 0) {
                    int end = all.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
                    headLength = end < 0 ? -1 : end + 4;
                }
                if (headLength >= 0) {
                    samples.add(new long[] {FaultTestSupport.millisSince(start), all.size() - headLength});
                }
            }
            long total = FaultTestSupport.millisSince(start);
            byte[] raw = all.toByteArray();
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n") + 4;
            byte[] body = text.contains("Transfer-Encoding: chunked") ? dechunk(raw, headEnd) : java.util.Arrays.copyOfRange(raw, headEnd, raw.length);
            return new Timeline(body, total, samples);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] dechunk(byte[] raw, int from) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = from;
        while (true) {
            int lineEnd = indexOf(raw, at);
            int size = Integer.parseInt(new String(raw, at, lineEnd - at, StandardCharsets.US_ASCII).trim(), 16);
            at = lineEnd + 2;
            if (size == 0) {
                return body.toByteArray();
            }
            body.write(raw, at, size);
            at += size + 2;
        }
    }

    private static int indexOf(byte[] raw, int from) {
        for (int i = from; i < raw.length - 1; i++) {
            if (raw[i] == '\r' && raw[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalStateException("no CRLF after " + from);
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        PatternServer.fill(bytes, 0, length);
        return bytes;
    }

    /** What a download looked like: the body, how long it took, and (ms, bytes after the head so far) after each read. */
    private record Timeline(byte[] body, long totalMs, List<long[]> samples) {}
}
