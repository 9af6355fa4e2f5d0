package io.chaosproxy.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * What the first chaos proxy of a fresh test JVM costs, as a test suite pays it. The JUnit
 * Platform launches one test class, as Surefire or Gradle would, whose
 * {@code @RegisterExtension static ChaosProxy proxy = ChaosProxy.builder()...build()} makes the
 * class's proxy; the clock starts when that class initialises, just before the builder runs, and
 * stops when its first test has read its first proxied response: the build, the extension's start
 * (beforeAll), the per-test reset (beforeEach) and one GET through the proxy to a raw-socket
 * backend. What JUnit itself costs before it reaches the class (its own start, discovery) is
 * outside the clock: the suite pays that with or without a proxy.
 *
 * <p>{@code bare} as the first argument measures the same steps without JUnit, straight from
 * {@code main} (the probe's first form): everything the JVM loads for the first time is then
 * charged to the proxy, opening the class path's jars included. {@code baseline} runs the same
 * first test without a proxy (its GET straight to the backend): what JUnit and the JVM cost a
 * suite's first test anyway. {@code okhttp} runs that first test with its GET made by a new
 * OkHttp client instead: OkHttp's first call alone, the floor under any proxy whose backend leg is
 * OkHttp, as this one's is.
 *
 * <p>One line per JVM; {@code src/bench/cold-start.sh} runs it in fresh JVMs and prints medians.
 * The backend and the client are raw sockets, so the figure is the proxy's own cost and not an
 * HTTP client's class loading.
 */
public final class ColdStartProbe {
    private static final String PROBING = "chaosproxy.cold-start-probe";

    private static volatile int backendPort;
    private static volatile Clock clock;
    private static volatile long up;
    private static volatile long answered;
    private static volatile String reply;

    private ColdStartProbe() {}

    public static void main(String[] args) throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> answerOk(backend), "backend");
            answering.setDaemon(true);
            answering.start();
            backendPort = backend.getLocalPort();
            String mode = args.length > 0 ? args[0] : "junit";
            switch (mode) {
                case "bare" -> bare();
                case "junit" -> underJUnit(FirstTestOfTheRun.class);
                case "baseline" -> underJUnit(FirstTestWithoutAProxy.class);
                case "okhttp" -> underJUnit(FirstOkHttpCallWithoutAProxy.class);
                default -> throw new IllegalArgumentException("mode: junit (the default), bare, baseline or okhttp, not " + mode);
            }
        }
        if (reply == null || !reply.startsWith("HTTP/1.1 200")) {
            throw new IllegalStateException("the proxied request did not get 200: " + reply);
        }
        System.out.printf("up_ms=%.1f first_request_ms=%.1f cpu_ms=%.1f classes=%d total_ms=%.1f%n",
                (up - clock.start) / 1e6, (answered - up) / 1e6, clock.cpuSince() / 1e6, clock.classesSince(),
                (answered - clock.start) / 1e6);
    }

    private static void underJUnit(Class<?> testClass) {
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(testClass))
                .configurationParameter(PROBING, "true")
                .build(), summary);
        if (summary.getSummary().getTestsSucceededCount() != 1) {
            StringBuilder why = new StringBuilder("the probe's test did not pass:");
            summary.getSummary().getFailures().forEach(failure -> why.append(' ').append(failure.getException()));
            throw new IllegalStateException(why.toString());
        }
    }

    private static void bare() throws IOException {
        clock = new Clock();
        ChaosProxy proxy = ChaosProxy.builder().upstream("http://127.0.0.1:" + backendPort).build();
        proxy.open("the cold start probe", null);
        proxy.startTest("[probe:first-test]");
        timeFirstRequest(() -> get(proxy.url()));
        proxy.close();
    }

    /** The test class of a suite's first test that uses a proxy; runs only when the probe launches it. */
    @ExtendWith(OnlyWhenProbing.class)
    static final class FirstTestOfTheRun {
        static final Clock STARTED = startClock(); // class initialisation, just before the builder below

        @RegisterExtension
        static final ChaosProxy proxy = ChaosProxy.builder().upstream("http://127.0.0.1:" + backendPort).build();

        @Test
        void firstRequest() throws IOException {
            timeFirstRequest(() -> get(proxy.url()));
        }
    }

    /**
     * The same first test without a proxy: its GET goes straight to the backend. What JUnit and the
     * JVM cost a suite's first test anyway; the proxy's own share is the difference.
     */
    @ExtendWith(OnlyWhenProbing.class)
    static final class FirstTestWithoutAProxy {
        static final Clock STARTED = startClock();

        @Test
        void firstRequest() throws IOException {
            timeFirstRequest(() -> get(URI.create("http://127.0.0.1:" + backendPort + "/")));
        }
    }

    /** The same first test, its GET made by OkHttp (cleartext only, as the proxy's first client is). */
    @ExtendWith(OnlyWhenProbing.class)
    static final class FirstOkHttpCallWithoutAProxy {
        static final Clock STARTED = startClock();

        @Test
        void firstRequest() throws IOException {
            timeFirstRequest(() -> {
                OkHttpClient client = new OkHttpClient.Builder().connectionSpecs(List.of(ConnectionSpec.CLEARTEXT)).build();
                try (Response response = client.newCall(new Request.Builder().url("http://127.0.0.1:" + backendPort + "/first").build()).execute()) {
                    return "HTTP/1.1 " + response.code() + " " + response.body().string();
                }
            });
        }
    }

    /** The first request of a run, sent by one of the forms above. */
    @FunctionalInterface
    private interface FirstRequest {
        String send() throws IOException;
    }

    /** Sends the first request and notes when it left and when its answer was in. */
    private static void timeFirstRequest(FirstRequest request) throws IOException {
        up = System.nanoTime();
        reply = request.send();
        answered = System.nanoTime();
    }

    private static Clock startClock() {
        clock = new Clock();
        return clock;
    }

    static final class OnlyWhenProbing implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(PROBING).isPresent()
                    ? ConditionEvaluationResult.enabled("launched by ColdStartProbe")
                    : ConditionEvaluationResult.disabled("ColdStartProbe's own test, not one of the suite");
        }
    }

    /**
     * Wall time, and what a busy shared machine stretches much less: the process's CPU time and the
     * number of classes loaded. The beans are looked up before the clock starts.
     */
    private static final class Clock {
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        private final long cpuStart = os.getProcessCpuTime();
        private final long classesStart = classes.getTotalLoadedClassCount();
        final long start = System.nanoTime();

        long cpuSince() {
            return os.getProcessCpuTime() - cpuStart;
        }

        long classesSince() {
            return classes.getTotalLoadedClassCount() - classesStart;
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
