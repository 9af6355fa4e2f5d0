import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A build step of the standalone jar: {@code java TrainArchive.java LAUNCHER [SECONDS]} runs the
 * launcher once, on the JVM that runs this file, as a user's first run would, sends it SECONDS of
 * traffic (default 4) and stops it with SIGTERM, so that the launcher writes its class-data archive
 * (its AOT cache on Java 25) beside the jar. The first run after a build then starts with it.
 *
 * <p>Why traffic and not one request: an archive holds the classes its run loaded, so the run
 * goes through what a session with the proxy uses (64 KiB answers, requests held by a fault,
 * injected errors, the control API, the journal, the metrics), and those classes start from the
 * archive too. (On Java 25 the launcher writes the cache without this run's method profiles: the
 * README measured that they slow the start and the 10-15 s window.) The launcher's own rules (which
 * file, which flags, per JVM) stay in the launcher; this only drives it.
 *
 * <p>The traffic: keep-alive GETs of 1 KiB (and one in sixteen of 64 KiB) from a small backend of
 * its own on 127.0.0.1, on 8 connections, and a few control calls (faults injected and removed, the
 * journal and the metrics read), all on ports the kernel picks. Its HTTP client is a few lines of
 * its own: a single-file program cannot share the benchmark's (src/bench/BenchClient.java).
 */
public final class TrainArchive {
    private static final int CONNECTIONS = 8;
    private static final byte[] SMALL = body(1024);
    private static final byte[] LARGE = body(64 * 1024);

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            throw new IllegalArgumentException("usage: TrainArchive LAUNCHER [SECONDS]");
        }
        Path launcher = Path.of(args[0]).toAbsolutePath();
        Path jar = launcher.resolveSibling("chaos-proxy.jar");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 4;
        String javaHome = System.getProperty("java.home");
        int feature = Runtime.version().feature();
        Path work = Files.createTempDirectory("chaos-proxy-training");
        Path portFile = work.resolve("ports.json");
        Path log = launcher.resolveSibling("chaos-proxy-training-java" + feature + ".log");

        ServerSocket backend = backend();
        Process proxy = null;
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(),
                    "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
                    "--upstream", "http://127.0.0.1:" + backend.getLocalPort(),
                    "--port-file", portFile.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("JAVA_HOME", javaHome);
            pb.environment().remove("CHAOS_PROXY_CACHE_DIR");
            // the launcher turns the JVM's archive messages off; here they explain a missing archive
            pb.environment().put("CHAOS_PROXY_JAVA_OPTS", "-Xlog:cds=warning -Xlog:cds+dynamic=warning"
                    + (feature >= 25 ? " -Xlog:aot=warning" : ""));
            long t0 = System.nanoTime();
            proxy = pb.start();
            String ports = awaitPortFile(portFile, proxy, log);
            int port = port(ports, "default");
            int control = port(ports, "control");

            long requests = traffic(port, control, (long) (seconds * 1e9), log);
            proxy.destroy(); // SIGTERM: a clean exit, which is when the JVM writes the archive
            if (!proxy.waitFor(180, TimeUnit.SECONDS)) {
                throw failure("the training run did not exit within 180 s of SIGTERM", log);
            }
            if (proxy.exitValue() != 0) {
                throw failure("the training run exited with " + proxy.exitValue() + " after SIGTERM", log);
            }
            Path archive = archive(launcher, jar, feature, log);
            System.out.printf("TrainArchive: %s (%d MiB) written by a run on Java %s that served %,d requests, %.1f s in all%n",
                    archive.getFileName(), Files.size(archive) >> 20, feature, requests, (System.nanoTime() - t0) / 1e9);
        } finally {
            if (proxy != null) {
                proxy.destroyForcibly();
            }
            quietly(backend::close);
            quietly(() -> Files.deleteIfExists(portFile));
            quietly(() -> Files.deleteIfExists(work));
        }
    }

    /** An error that says what failed, shows the end of the run's log and how to build without it. */
    private static IllegalStateException failure(String what, Path log) {
        String tail;
        try {
            List<String> lines = Files.readAllLines(log);
            tail = String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            tail = "(unreadable: " + e + ")";
        }
        return new IllegalStateException(what + "; the end of " + log + ":\n  " + tail
                + "\n(mvn package -DskipArchive builds without the launcher's archive)");
    }

    private interface Cleanup {
        void run() throws IOException;
    }

    /** Cleanup after the run: its own failure must not hide the one that matters. */
    private static void quietly(Cleanup cleanup) {
        try {
            cleanup.run();
        } catch (IOException e) {
            System.err.println("TrainArchive: cleanup: " + e);
        }
    }

    /** A minimal keep-alive HTTP/1.1 backend: a thread per connection, one write per answer. */
    private static ServerSocket backend() throws IOException {
        ServerSocket server = new ServerSocket(0, 128, InetAddress.getByName("127.0.0.1"));
        daemon("training-backend", () -> {
            while (!server.isClosed()) {
                try {
                    Socket connection = server.accept();
                    daemon("training-backend-connection", () -> answer(connection));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return server;
    }

    private static void answer(Socket connection) {
        try (connection) {
            connection.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(connection.getInputStream());
            OutputStream out = connection.getOutputStream();
            String head;
            while ((head = readHead(in)) != null) {
                byte[] body = head.startsWith("GET /64k") ? LARGE : SMALL;
                byte[] status = ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] answer = Arrays.copyOf(status, status.length + body.length);
                System.arraycopy(body, 0, answer, status.length, body.length);
                out.write(answer);
            }
        } catch (IOException e) {
            // the proxy closed the connection: training is over, or its pool let it go
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static String awaitPortFile(Path portFile, Process proxy, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(portFile) && Files.size(portFile) > 0) {
                return Files.readString(portFile);
            }
            if (!proxy.isAlive()) {
                throw failure("the training run exited with " + proxy.exitValue() + " before it was ready", log);
            }
            proxy.waitFor(10, TimeUnit.MILLISECONDS); // returns early only if it exits
        }
        throw failure("the training run wrote no port file within 60 s", log);
    }

    private static int port(String ports, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(ports);
        if (!m.find()) {
            throw new IllegalStateException("no \"" + name + "\" port in the port file: " + ports);
        }
        return Integer.parseInt(m.group(1));
    }

    /** The load and the control calls, until {@code nanos} have passed; returns the proxied requests. */
    private static long traffic(int port, int control, long nanos, Path log) throws Exception {
        LongAdder done = new LongAdder();
        long end = System.nanoTime() + nanos;
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS, task -> {
            Thread thread = new Thread(task, "training-client");
            thread.setDaemon(true); // a client still reading when a failure ends the run must not keep the JVM
            return thread;
        });
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(pool.submit(() -> keepAliveGets(port, end, done)));
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + control;
            while (System.nanoTime() < end) {
                call(http, "POST", base + "/faults", "{\"type\":\"latency\",\"delayMs\":1,\"match\":{\"path\":\"/slow/**\"}}", 201, log);
                call(http, "POST", base + "/faults", "{\"type\":\"error\",\"status\":503,\"probability\":0.1}", 201, log);
                TimeUnit.MILLISECONDS.sleep(200); // paces the control calls; the clients run meanwhile
                call(http, "GET", base + "/requests?limit=20", null, 200, log);
                call(http, "GET", base + "/metrics", null, 200, log);
                call(http, "DELETE", base + "/faults", null, 204, log);
            }
            for (Future<?> client : clients) {
                try {
                    client.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw failure(e.getCause().getMessage(), log);
                } catch (TimeoutException e) {
                    throw failure("a training connection was still busy 30 s after the traffic's end", log);
                }
            }
            return done.sum();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void call(HttpClient http, String method, String url, String json, int expected, Path log) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw failure(method + " " + url + " failed: " + e, log);
        }
        if (response.statusCode() != expected) {
            throw failure(method + " " + url + " answered " + response.statusCode() + ", not " + expected + ": " + response.body(), log);
        }
    }

    /** One keep-alive connection sending GETs until {@code end}; any answer counts, an injected 503 too. */
    private static void keepAliveGets(int port, long end, LongAdder done) {
        long n = 0;
        String path = "(none yet)";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (; System.nanoTime() < end; n++) {
                path = n % 16 == 15 ? "/64k" : n % 8 == 3 ? "/slow/1k" : "/1k";
                out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                readResponse(in);
                done.increment();
            }
        } catch (IOException e) {
            throw new IllegalStateException("a training connection to 127.0.0.1:" + port + " failed at request " + (n + 1)
                    + " (GET " + path + "): " + e, e);
        }
    }

    /** Reads one response with a Content-Length body (what the proxy sends for these answers). */
    private static void readResponse(InputStream in) throws IOException {
        String head = readHead(in);
        if (head == null) {
            throw new IOException("the proxy closed the connection mid-response");
        }
        Matcher length = Pattern.compile("(?i)\r\ncontent-length:\\s*(\\d+)").matcher(head);
        if (!length.find()) {
            throw new IOException("an answer without Content-Length: " + head);
        }
        long remaining = Long.parseLong(length.group(1));
        byte[] buffer = new byte[8192];
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new IOException("the proxy closed the connection mid-body");
            }
            remaining -= n;
        }
    }

    /** A request's or a response's head, up to its blank line; null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || head.charAt(head.length() - 1) != '\n' || !head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** The archive the launcher wrote for this JVM: it must be there and newer than the jar. */
    private static Path archive(Path launcher, Path jar, int feature, Path log) throws IOException {
        for (String suffix : List.of(".aot", ".jsa")) {
            Path archive = launcher.resolveSibling("chaos-proxy-java" + feature + suffix);
            if (Files.exists(archive) && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
                return archive;
            }
        }
        throw failure("the training run on Java " + feature + " left no archive newer than " + jar + " beside it", log);
    }

    private static byte[] body(int size) {
        byte[] body = new byte[size];
        for (int i = 0; i < size; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }
}
