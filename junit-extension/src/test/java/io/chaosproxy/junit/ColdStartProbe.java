package io.chaosproxy.junit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * What the first chaos proxy of a fresh test JVM costs: from building the handle to the first
 * proxied response, as the extension does it (start, reset with the test's seed, one request).
 * One measurement per JVM, printed as one line; {@code src/bench/cold-start.sh} runs it in several
 * fresh JVMs and prints the median. The backend and the client are raw sockets, so the figure is
 * the proxy's own cost and not an HTTP client's class loading.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {}

    public static void main(String[] args) throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> answerOk(backend), "backend");
            answering.setDaemon(true);
            answering.start();

            // Read before the clock starts: a busy shared machine stretches wall time, CPU time and
            // the number of classes loaded much less.
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            var classes = ManagementFactory.getClassLoadingMXBean();
            long cpuStart = os.getProcessCpuTime();
            long classesStart = classes.getTotalLoadedClassCount();
            long start = System.nanoTime();
            ChaosProxy proxy = ChaosProxy.builder().upstream("http://127.0.0.1:" + backend.getLocalPort()).build();
            proxy.open("the cold start probe", null);
            proxy.startTest("[probe:first-test]");
            long up = System.nanoTime();
            String reply = get(proxy.url());
            long answered = System.nanoTime();
            long cpu = os.getProcessCpuTime() - cpuStart;
            long loaded = classes.getTotalLoadedClassCount() - classesStart;
            proxy.close();
            if (!reply.startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException("the proxied request did not get 200: " + reply);
            }
            System.out.printf("up_ms=%.1f first_request_ms=%.1f cpu_ms=%.1f classes=%d total_ms=%.1f%n",
                    (up - start) / 1e6, (answered - up) / 1e6, cpu / 1e6, loaded, (answered - start) / 1e6);
        }
    }

    private static String get(URI proxy) throws IOException {
        try (Socket client = new Socket(proxy.getHost(), proxy.getPort())) {
            OutputStream out = client.getOutputStream();
            out.write("GET /first HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** Answers every request with {@code 200 ok}, one connection at a time. */
    private static void answerOk(ServerSocket backend) {
        while (!backend.isClosed()) {
            try (Socket connection = backend.accept()) {
                InputStream in = connection.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    head.write(b);
                }
                connection.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                        .getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                return;
            }
        }
    }
}
