// Benchmark helper for src/bench/run.sh: the measurements that wrk and curl cannot make.
//
//   java -cp proxy/target/chaos-proxy.jar src/bench/BenchClient.java MODE ARGS...
//
// MODE is one of
//   held HOST PORT PATH N                        N requests at once, each on its own connection
//   precision HOST PORT CONTROL_PORT PATH RATE SECONDS DELAY_MS
//                                                a latency rule's delay as actually seen, at RATE req/s
//   probability HOST PORT CONTROL_PORT PATH N P  share of N requests that an error rule of probability P hits
//   jar-start JAR UPSTREAM PATH RUNS DIR         `java -jar` spawn to the first proxied 200, RUNS times;
//                                                 JAR may be the launcher script instead (run with
//                                                 bash and JAVA_HOME of this JVM)
//   inprocess-start UPSTREAM PATH WARMUPS RUNS   ChaosProxyServer start() to the first proxied 200
//
// Every mode prints human-readable progress on stderr and one line `RESULT key=value ...` on
// stdout for the script to read. Loopback only; every mode is bounded in time and count.

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class BenchClient {

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        String[] a = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "held" -> held(a[0], Integer.parseInt(a[1]), a[2], Integer.parseInt(a[3]));
            case "precision" -> precision(a[0], Integer.parseInt(a[1]), Integer.parseInt(a[2]), a[3],
                    Integer.parseInt(a[4]), Double.parseDouble(a[5]), Long.parseLong(a[6]));
            case "probability" -> probability(a[0], Integer.parseInt(a[1]), Integer.parseInt(a[2]), a[3],
                    Integer.parseInt(a[4]), Double.parseDouble(a[5]));
            case "jar-start" -> jarStart(a[0], a[1], a[2], Integer.parseInt(a[3]), Path.of(a[4]));
            case "inprocess-start" -> InProcess.run(a[0], a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]));
            default -> usage();
        }
        System.exit(0); // no lingering non-daemon threads (HttpClient, pools) may keep the JVM up
    }

    private static void usage() {
        System.err.println("usage: BenchClient held|precision|probability|jar-start|inprocess-start ARGS (see the file's header)");
        System.exit(2);
    }

    // ---------------------------------------------------------------------------------------------
    // held: N requests in flight at once, one connection each, driven by one selector thread
    // ---------------------------------------------------------------------------------------------

    /** One connection's progress through its single response. */
    private static final class Pending {
        final SocketChannel channel;
        final ByteArrayOutputStream got = new ByteArrayOutputStream(2048);
        int status = -1;
        long headerEnd = -1;
        long contentLength = -1;
        boolean chunked;
        long doneNanos = -1;
        String failure;

        Pending(SocketChannel channel) {
            this.channel = channel;
        }

        /** True once the whole response is in (by Content-Length, final chunk, or EOF for neither). */
        boolean complete(boolean eof) {
            byte[] b = got.toByteArray();
            if (headerEnd < 0) {
                int end = indexOf(b, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
                if (end < 0) {
                    return false;
                }
                headerEnd = end + 4;
                String head = new String(b, 0, end, StandardCharsets.ISO_8859_1);
                String[] lines = head.split("\r\n");
                status = Integer.parseInt(lines[0].split(" ")[1]);
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = lines[i].substring(colon + 1).trim();
                    if (name.equals("content-length")) {
                        contentLength = Long.parseLong(value);
                    } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                        chunked = true;
                    }
                }
            }
            if (contentLength >= 0) {
                return b.length - headerEnd >= contentLength;
            }
            if (chunked) {
                return b.length >= headerEnd + 5 && indexOf(b, "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), b.length - 5) >= 0;
            }
            return eof;
        }
    }

    static void held(String host, int port, String path, int n) throws Exception {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        List<Pending> all = new ArrayList<>(n);
        Selector selector = Selector.open();
        long connectStart = System.nanoTime();
        try {
            for (int i = 0; i < n; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port));
                channel.socket().setTcpNoDelay(true);
                channel.configureBlocking(false);
                Pending p = new Pending(channel);
                channel.register(selector, SelectionKey.OP_READ, p);
                all.add(p);
            }
            long connectMs = (System.nanoTime() - connectStart) / 1_000_000;
            System.err.printf("held: %d connections open in %d ms; sending %d requests at once%n", n, connectMs, n);

            long t0 = System.nanoTime();
            for (Pending p : all) {
                ByteBuffer out = ByteBuffer.wrap(request);
                long giveUp = System.nanoTime() + 1_000_000_000L;
                while (out.hasRemaining() && System.nanoTime() < giveUp) {
                    p.channel.write(out);
                }
                if (out.hasRemaining()) {
                    p.failure = "could not send the request";
                    p.doneNanos = System.nanoTime();
                }
            }
            long sentMs = (System.nanoTime() - t0) / 1_000_000;

            int open = (int) all.stream().filter(p -> p.doneNanos < 0).count();
            long deadline = t0 + 30_000_000_000L; // bounded: 30 s at most
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (open > 0 && System.nanoTime() < deadline) {
                selector.select(100);
                var keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    Pending p = (Pending) key.attachment();
                    if (p.doneNanos >= 0) {
                        continue;
                    }
                    boolean eof = false;
                    try {
                        int r;
                        while ((r = p.channel.read(buffer.clear())) > 0) {
                            p.got.write(buffer.array(), 0, r);
                        }
                        eof = r < 0;
                        if (p.complete(eof)) {
                            p.doneNanos = System.nanoTime();
                        } else if (eof) {
                            p.failure = "connection closed before a complete response";
                            p.doneNanos = System.nanoTime();
                        }
                    } catch (IOException | RuntimeException e) {
                        p.failure = e.toString();
                        p.doneNanos = System.nanoTime();
                    }
                    if (p.doneNanos >= 0) {
                        open--;
                        key.cancel();
                    }
                }
            }

            int ok = 0;
            int otherStatus = 0;
            int failed = 0;
            long[] doneMs = new long[n];
            int k = 0;
            long lastNanos = t0;
            for (Pending p : all) {
                if (p.doneNanos < 0) {
                    failed++;
                    continue;
                }
                if (p.failure != null) {
                    failed++;
                } else if (p.status == 200) {
                    ok++;
                } else {
                    otherStatus++;
                }
                doneMs[k++] = (p.doneNanos - t0) / 1_000_000;
                lastNanos = Math.max(lastNanos, p.doneNanos);
            }
            long[] finished = Arrays.copyOf(doneMs, k);
            Arrays.sort(finished);
            long wallMs = (lastNanos - t0) / 1_000_000;
            System.err.printf("held: %d ok, %d other status, %d failed; all done %d ms after the first send (sending took %d ms)%n",
                    ok, otherStatus, failed, wallMs, sentMs);
            System.out.printf("RESULT n=%d ok=%d other=%d failed=%d wall_ms=%d first_ms=%d p50_ms=%d connect_ms=%d send_ms=%d%n",
                    n, ok, otherStatus, failed, wallMs, k == 0 ? -1 : finished[0], k == 0 ? -1 : finished[k / 2], connectMs, sentMs);
        } finally {
            for (Pending p : all) {
                try {
                    p.channel.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            selector.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // a tiny blocking HTTP/1.1 client over keep-alive sockets (no client library's overhead in the figures)
    // ---------------------------------------------------------------------------------------------

    static final class Conn implements Closeable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] request;
        private boolean reusable = true;

        Conn(String host, int port, String path) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
            request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        boolean reusable() {
            return reusable;
        }

        /** Sends the GET, reads the whole response, returns its status. */
        int get() throws IOException {
            out.write(request);
            out.flush();
            String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed before a response");
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            long length = -1;
            boolean chunked = false;
            for (String header = line(); header != null && !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.contains("chunked");
                    case "connection" -> reusable &= !value.contains("close");
                    default -> { }
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0;
                        size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                    skip(size);
                    line();
                }
                for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                    // trailers: ignored
                }
            } else if (length >= 0) {
                skip(length);
            } else {
                while (in.read() >= 0) {
                    // no length: the body ends with the connection
                }
                reusable = false;
            }
            return status;
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long s = in.skip(n);
                if (s <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed mid-body");
                    }
                    s = 1;
                }
                n -= s;
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int len = sb.length();
                    return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
                }
                sb.append((char) c);
            }
            return sb.length() == 0 ? null : sb.toString();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // precision: latency of requests sent at a fixed rate, without and with a latency rule
    // ---------------------------------------------------------------------------------------------

    /** Sends requests at {@code rate}/s for warmup + seconds (open loop); returns the measured latencies in ns. */
    static long[] atRate(String host, int port, String path, int rate, double warmupSeconds, double seconds) throws Exception {
        int warm = (int) Math.round(rate * warmupSeconds);
        int total = warm + (int) Math.round(rate * seconds);
        AtomicLongArray latencies = new AtomicLongArray(total);
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(total);
        ConcurrentLinkedQueue<Conn> idle = new ConcurrentLinkedQueue<>();
        ExecutorService workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bench-worker");
            t.setDaemon(true);
            return t;
        });
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-ticker");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> {
            int i = issued.getAndIncrement();
            if (i >= total) {
                return;
            }
            workers.execute(() -> {
                Conn c = idle.poll();
                try {
                    if (c == null) {
                        c = new Conn(host, port, path);
                    }
                    long t = System.nanoTime();
                    int status = c.get();
                    long elapsed = System.nanoTime() - t;
                    if (status == 200) {
                        latencies.set(i, elapsed);
                    } else {
                        latencies.set(i, -1);
                        failures.incrementAndGet();
                    }
                    if (c.reusable()) {
                        idle.offer(c);
                    } else {
                        c.close();
                    }
                } catch (IOException | RuntimeException e) {
                    latencies.set(i, -1);
                    failures.incrementAndGet();
                    if (c != null) {
                        c.close();
                    }
                } finally {
                    done.countDown();
                }
            });
        }, 0, 1_000_000_000L / rate, TimeUnit.NANOSECONDS);
        boolean finished = done.await((long) ((warmupSeconds + seconds) * 1000) + 60_000, TimeUnit.MILLISECONDS);
        ticker.shutdownNow();
        workers.shutdownNow();
        idle.forEach(Conn::close);
        if (!finished) {
            throw new IllegalStateException("requests still unanswered 60 s after the last was sent");
        }
        if (failures.get() > 0) {
            System.err.printf("precision: %d requests failed or were not 200%n", failures.get());
        }
        long[] out = new long[total - warm];
        int k = 0;
        for (int i = warm; i < total; i++) {
            long v = latencies.get(i);
            if (v >= 0) {
                out[k++] = v;
            }
        }
        long[] measured = Arrays.copyOf(out, k);
        Arrays.sort(measured);
        return measured;
    }

    static void precision(String host, int port, int controlPort, String path, int rate, double seconds, long delayMs) throws Exception {
        System.err.printf("precision: baseline, no fault, %d req/s for %.0f s%n", rate, seconds);
        long[] base = atRate(host, port, path, rate, 1, seconds);
        double baseP50 = percentile(base, 50) / 1e6;
        System.err.printf("precision: baseline p50 %.3f ms, p99 %.3f ms (%d requests)%n", baseP50, percentile(base, 99) / 1e6, base.length);
        Control control = new Control(controlPort);
        String id = control.install("{\"type\":\"latency\",\"delayMs\":" + delayMs + "}");
        long[] delayed;
        try {
            System.err.printf("precision: latency rule %d ms, %d req/s for %.0f s%n", delayMs, rate, seconds);
            delayed = atRate(host, port, path, rate, 1, seconds);
        } finally {
            control.remove(id);
        }
        // error of one request = (its latency - the baseline's median) - the configured delay
        double[] error = new double[delayed.length];
        double[] absError = new double[delayed.length];
        for (int i = 0; i < delayed.length; i++) {
            error[i] = delayed[i] / 1e6 - baseP50 - delayMs;
            absError[i] = Math.abs(error[i]);
        }
        Arrays.sort(error);
        Arrays.sort(absError);
        long over5 = Arrays.stream(absError).filter(e -> e > 5).count();
        System.err.printf(Locale.ROOT, "precision: error p50 %.3f ms, p99 %.3f ms, max %.3f ms; %d of %d requests off by more than 5 ms%n",
                percentile(error, 50), percentile(error, 99), error.length == 0 ? Double.NaN : error[error.length - 1], over5, error.length);
        System.out.printf(Locale.ROOT, "RESULT n=%d base_p50_ms=%.3f base_p99_ms=%.3f err_p1_ms=%.3f err_p50_ms=%.3f err_p99_ms=%.3f abs_err_p99_ms=%.3f err_max_ms=%.3f over5=%d%n",
                delayed.length, baseP50, percentile(base, 99) / 1e6, percentile(error, 1), percentile(error, 50),
                percentile(error, 99), percentile(absError, 99), error.length == 0 ? Double.NaN : error[error.length - 1], over5);
    }

    // ---------------------------------------------------------------------------------------------
    // probability: observed share of requests hit by an error rule
    // ---------------------------------------------------------------------------------------------

    static void probability(String host, int port, int controlPort, String path, int n, double p) throws Exception {
        Control control = new Control(controlPort);
        String id = control.install("{\"type\":\"error\",\"status\":503,\"probability\":" + p + "}");
        AtomicInteger next = new AtomicInteger();
        AtomicInteger hit = new AtomicInteger();
        AtomicInteger passed = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        int threads = 8;
        Thread[] workers = new Thread[threads];
        long deadline = System.nanoTime() + 120_000_000_000L;
        try {
            for (int t = 0; t < threads; t++) {
                workers[t] = new Thread(() -> {
                    Conn c = null;
                    try {
                        while (next.getAndIncrement() < n && System.nanoTime() < deadline) {
                            if (c == null || !c.reusable()) {
                                if (c != null) {
                                    c.close();
                                }
                                c = new Conn(host, port, path);
                            }
                            int status;
                            try {
                                status = c.get();
                            } catch (IOException e) {
                                c.close();
                                c = null;
                                other.incrementAndGet();
                                continue;
                            }
                            if (status == 503) {
                                hit.incrementAndGet();
                            } else if (status == 200) {
                                passed.incrementAndGet();
                            } else {
                                other.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        other.incrementAndGet();
                    } finally {
                        if (c != null) {
                            c.close();
                        }
                    }
                });
                workers[t].start();
            }
            for (Thread w : workers) {
                w.join();
            }
        } finally {
            control.remove(id);
        }
        int total = hit.get() + passed.get() + other.get();
        double observed = total == 0 ? Double.NaN : (double) hit.get() / total;
        System.err.printf("probability: %d of %d requests got the injected 503 (%d passed, %d other)%n", hit.get(), total, passed.get(), other.get());
        System.out.printf(Locale.ROOT, "RESULT n=%d hit=%d passed=%d other=%d observed=%.4f expected=%.4f%n",
                total, hit.get(), passed.get(), other.get(), observed, p);
    }

    /** The control API calls these modes need: install a rule, remove it. */
    static final class Control {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final String base;

        Control(int port) {
            base = "http://127.0.0.1:" + port;
        }

        String install(String json) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/faults"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("POST /faults " + json + " answered " + r.statusCode() + ": " + r.body());
            }
            Matcher m = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
            if (!m.find()) {
                throw new IllegalStateException("no id in " + r.body());
            }
            return m.group(1);
        }

        void remove(String id) throws Exception {
            http.send(HttpRequest.newBuilder(URI.create(base + "/faults/" + id)).timeout(Duration.ofSeconds(10)).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // jar-start: process spawn to the first 200 through the new proxy
    // ---------------------------------------------------------------------------------------------

    static void jarStart(String jar, String upstream, String path, int runs, Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        long[] ms = new long[runs];
        for (int r = 0; r < runs; r++) {
            Path portFile = dir.resolve("jar-start-" + r + ".json");
            Files.deleteIfExists(portFile);
            List<String> command = new ArrayList<>(jar.endsWith(".jar") ? List.of(java, "-jar", jar) : List.of("bash", jar));
            command.addAll(List.of("--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
                    "--upstream", upstream, "--port-file", portFile.toString()));
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(dir.resolve("jar-start-" + r + ".err").toFile());
            pb.environment().put("JAVA_HOME", Path.of(java).getParent().getParent().toString());
            long t0 = System.nanoTime();
            Process process = pb.start();
            try {
                long giveUp = t0 + 60_000_000_000L;
                while (!(Files.exists(portFile) && Files.size(portFile) > 0)) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the proxy exited with " + process.exitValue() + " before it was ready");
                    }
                    if (System.nanoTime() > giveUp) {
                        throw new IllegalStateException("no port file after 60 s");
                    }
                    LockSupport.parkNanos(250_000);
                }
                Matcher m = Pattern.compile("\"default\"\\s*:\\s*(\\d+)").matcher(Files.readString(portFile));
                if (!m.find()) {
                    throw new IllegalStateException("no default proxy port in " + Files.readString(portFile));
                }
                int status;
                try (Conn c = new Conn("127.0.0.1", Integer.parseInt(m.group(1)), path)) {
                    status = c.get();
                }
                ms[r] = (System.nanoTime() - t0) / 1_000_000;
                if (status != 200) {
                    throw new IllegalStateException("first response was " + status + ", not 200");
                }
                System.err.printf("jar-start: run %d: %d ms%n", r + 1, ms[r]);
            } finally {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
        long[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf("RESULT runs=%d median_ms=%d min_ms=%d max_ms=%d first_ms=%d%n",
                runs, sorted[runs / 2], sorted[0], sorted[runs - 1], ms[0]);
    }

    // ---------------------------------------------------------------------------------------------
    // helpers
    // ---------------------------------------------------------------------------------------------

    static double percentile(long[] sorted, double pct) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(pct / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static double percentile(double[] sorted, double pct) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(pct / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

/**
 * In-process start: ChaosProxyServer built and started, then the first request through it, in a
 * JVM that has already started and stopped the server WARMUPS times. A class of its own so that
 * the other modes do not need chaos-proxy's classes to be loaded.
 */
final class InProcess {
    static void run(String upstream, String path, int warmups, int runs) throws Exception {
        long[] total = new long[runs];
        long[] startOnly = new long[runs];
        for (int i = 0; i < warmups + runs; i++) {
            long t0 = System.nanoTime();
            io.chaosproxy.proxy.ChaosProxyServer server = io.chaosproxy.proxy.ChaosProxyServer.builder()
                    .upstream(upstream).build();
            long t1 = System.nanoTime();
            server.start();
            long t2 = System.nanoTime();
            int status;
            try {
                URI url = server.url();
                try (BenchClient.Conn c = new BenchClient.Conn(url.getHost(), url.getPort(), path)) {
                    status = c.get();
                }
            } finally {
                long t3 = System.nanoTime();
                if (i >= warmups) {
                    total[i - warmups] = t3 - t0;
                    startOnly[i - warmups] = t3 - t1;
                }
                server.close();
            }
            if (status != 200) {
                throw new IllegalStateException("first response through the in-process proxy was " + status);
            }
            if (i == warmups - 1) {
                System.err.printf("inprocess-start: %d warm-up starts done%n", warmups);
            }
        }
        Arrays.sort(total);
        Arrays.sort(startOnly);
        System.err.printf("inprocess-start: builder()..build().start() to first 200: median %.1f ms (min %.1f, max %.1f)%n",
                total[runs / 2] / 1e6, total[0] / 1e6, total[runs - 1] / 1e6);
        System.out.printf(Locale.ROOT, "RESULT runs=%d median_ms=%.1f min_ms=%.1f max_ms=%.1f start_median_ms=%.1f%n",
                runs, total[runs / 2] / 1e6, total[0] / 1e6, total[runs - 1] / 1e6, startOnly[runs / 2] / 1e6);
    }
}
