package io.chaosproxy.proxy.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.dataplane.transport.ExchangeThreads;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Exchanges waiting on a slow backend cost a platform thread each on Java 17, and none on Java 21+,
 * where they run on virtual threads. Run by CI on both JVMs, so each world is checked where it applies.
 */
class ExchangeThreadsTest {
    private static final int IN_FLIGHT = 60;

    private final Semaphore arrived = new Semaphore(0);
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService backendThreads = Executors.newCachedThreadPool();
    private HttpServer backend;
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        backend.setExecutor(backendThreads);
        backend.createContext("/", exchange -> {
            arrived.release();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "done".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
        proxy = ChaosProxyServer.builder()
                .upstream("http://127.0.0.1:" + backend.getAddress().getPort())
                .build().start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        proxy.close();
        backend.stop(0);
        backendThreads.shutdownNow();
    }

    @Test
    void exchangesWaitingOnTheBackendHoldPlatformThreadsOnlyWithoutVirtualThreads() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
            answers.add(client.sendAsync(HttpRequest.newBuilder(proxy.url().resolve("/slow/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        assertThat(arrived.tryAcquire(IN_FLIGHT, 30, TimeUnit.SECONDS))
                .as("every request reached the backend and waits there").isTrue();

        // Thread.getAllStackTraces() lists platform threads only: a virtual thread is never counted
        long blockedPlatformThreads = Thread.getAllStackTraces().values().stream()
                .filter(ExchangeThreadsTest::waitsForTheBackend)
                .count();
        if (ExchangeThreads.virtual()) {
            assertThat(Runtime.version().feature()).isGreaterThanOrEqualTo(21);
            assertThat(blockedPlatformThreads).as("platform threads of the proxy with %d exchanges in flight", IN_FLIGHT)
                    .isZero();
        } else {
            assertThat(blockedPlatformThreads).as("platform threads of the proxy with %d exchanges in flight", IN_FLIGHT)
                    .isGreaterThanOrEqualTo(IN_FLIGHT);
        }

        release.countDown();
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("done");
        }
    }

    /** A thread inside an OkHttp call made by the data plane: blocked until its backend answers. */
    private static boolean waitsForTheBackend(StackTraceElement[] stack) {
        boolean inOkHttp = false;
        boolean inDataPlane = false;
        for (StackTraceElement frame : stack) {
            inOkHttp |= frame.getClassName().startsWith("okhttp3.");
            inDataPlane |= frame.getClassName().startsWith("io.chaosproxy.proxy.dataplane.");
        }
        return inOkHttp && inDataPlane;
    }

    @Test
    void virtualThreadsAreUsedExactlyWhereTheJvmHasThem() {
        boolean jvmHasThem = Runtime.version().feature() >= 21;
        boolean turnedOff = "platform".equalsIgnoreCase(System.getProperty("chaosproxy.threads"));
        assertThat(ExchangeThreads.virtual()).isEqualTo(jvmHasThem && !turnedOff);
    }
}
