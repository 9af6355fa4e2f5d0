package io.chaosproxy.proxy.reliability.support;

import io.chaosproxy.proxy.testing.LoopbackJetty;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A backend that checks every request body by digest and answers with a body the client can check
 * the same way. The client names both bodies in headers:
 * <ul>
 *   <li>{@code X-Seq}: the exchange's own number, counted per arrival;</li>
 *   <li>{@code X-Body-Len}, {@code X-Body-Sha256}: what the request body must be (no header: empty);</li>
 *   <li>{@code X-Want-Len}, {@code X-Want-Seed}, {@code X-Want-Chunked}: the response body to send
 *       ({@link Bodies}), with Content-Length or chunked;</li>
 *   <li>{@code X-Delay-Ms}: wait this long before answering, and {@code X-Pace-Ms}: this long between
 *       32 KiB pieces of the body (for exchanges that must still be in flight at some moment).</li>
 * </ul>
 * It answers {@code X-Got: <length> <sha256>} of what it received, and records any mismatch.
 * It can be stopped and started again on the same port, as a restarted service would be.
 */
public final class DigestBackend implements AutoCloseable {
    private final Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();
    private final List<String> mismatches = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicInteger failedWrites = new AtomicInteger();
    private volatile LoopbackJetty server;
    private volatile int port;

    public DigestBackend start() throws Exception {
        return start(0);
    }

    /** Starts on {@code port} (0: a free one); after {@link #stop()}, {@code start(port())} restarts it in place. */
    public synchronized DigestBackend start(int wanted) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(600, 8);
        threads.setName("digest-backend");
        threads.setDaemon(true);
        LoopbackJetty started = LoopbackJetty.builder(new Handler.Abstract() {
                    @Override
                    public boolean handle(Request request, Response response, Callback callback) {
                        serve(request, response, callback);
                        return true;
                    }
                })
                .threads(threads)
                .port(wanted)
                .acceptQueue(512)
                .start();
        server = started;
        port = started.port();
        return this;
    }

    /** Stops at once: open connections are closed, as when a process dies. */
    public synchronized void stop() throws Exception {
        LoopbackJetty running = server;
        server = null;
        if (running != null) {
            running.close();
        }
    }

    public int port() {
        return port;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** How many times the exchange numbered {@code seq} reached this backend. */
    public int arrivals(String seq) {
        AtomicInteger count = arrivals.get(seq);
        return count == null ? 0 : count.get();
    }

    public Map<String, AtomicInteger> arrivals() {
        return arrivals;
    }

    public int totalArrivals() {
        return arrivals.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public List<String> mismatches() {
        return mismatches;
    }

    public long bytesIn() {
        return bytesIn.get();
    }

    public long bytesOut() {
        return bytesOut.get();
    }

    /** Exchanges whose body could not be read or written to the end (the proxy closed the connection). */
    public int failedWrites() {
        return failedWrites.get();
    }

    private void serve(Request request, Response response, Callback callback) {
        String seq = request.getHeaders().get("X-Seq");
        if (seq != null) {
            arrivals.computeIfAbsent(seq, s -> new AtomicInteger()).incrementAndGet();
        }
        try {
            MessageDigest digest = Bodies.newDigest();
            long received = 0;
            try (InputStream in = Content.Source.asInputStream(request)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) != -1) {
                    digest.update(buffer, 0, n);
                    received += n;
                }
            }
            bytesIn.addAndGet(received);
            String got = received + " " + Bodies.hex(digest);
            String expectedLength = request.getHeaders().get("X-Body-Len");
            String expected = (expectedLength == null ? "0" : expectedLength) + " "
                    + (expectedLength == null ? Bodies.sha256(0, 0) : request.getHeaders().get("X-Body-Sha256"));
            if (!got.equals(expected)) {
                mismatches.add("request body of " + request.getMethod() + " seq=" + seq + ": expected " + expected + ", got " + got);
            }
            long delay = longHeader(request, "X-Delay-Ms", 0);
            if (delay > 0) {
                Thread.sleep(delay);
            }
            long pace = longHeader(request, "X-Pace-Ms", 0);
            long length = longHeader(request, "X-Want-Len", 0);
            long seed = longHeader(request, "X-Want-Seed", 0);
            boolean chunked = "1".equals(request.getHeaders().get("X-Want-Chunked"));
            response.setStatus(200);
            response.getHeaders().put("X-Got", got);
            if (seq != null) {
                response.getHeaders().put("X-Seq", seq);
            }
            if (!chunked) {
                response.getHeaders().put("Content-Length", Long.toString(length));
            }
            try (OutputStream out = Content.Sink.asOutputStream(response)) {
                if (!request.getMethod().equals("HEAD")) {
                    Bodies.Generator generator = new Bodies.Generator(seed);
                    byte[] buffer = new byte[32 * 1024];
                    long left = length;
                    while (left > 0) {
                        int n = (int) Math.min(buffer.length, left);
                        generator.next(buffer, 0, n);
                        out.write(buffer, 0, n);
                        bytesOut.addAndGet(n);
                        left -= n;
                        if (pace > 0) {
                            out.flush();
                            Thread.sleep(pace);
                        }
                    }
                }
            }
            callback.succeeded();
        } catch (IOException | RuntimeException e) {
            failedWrites.incrementAndGet();
            callback.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        }
    }

    private static long longHeader(Request request, String name, long fallback) {
        String value = request.getHeaders().get(name);
        return value == null ? fallback : Long.parseLong(value);
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
