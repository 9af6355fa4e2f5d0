package io.chaosproxy.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.testing.TcpEchoServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that misbehave: 5,000 connections opened and dropped, half-open connections, a client
 * that writes and never reads. Once they are gone, the proxy has no connection open and its file
 * descriptors and its heap are back where they started; its threads are pooled (no thread per connection), so
 * their number is bounded by the pools, not by the 5,000 connections (idle pool threads end after
 * Jetty's 60 s idle timeout, longer than this test waits).
 */
@Timeout(120)
class TcpHostileClientsTest {

    @Test
    void abandonedHalfOpenAndNonReadingClientsLeaveNothingBehind() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer();
             ChaosProxyServer proxy = ChaosProxyServer.builder().seed(5).tcp("echo", echo.address())
                     .resilience(ResilienceSettings.builder().connectTimeout(PATIENT_CONNECT).build())
                     .build().start()) {
            String host = proxy.address("echo").host();
            int port = proxy.address("echo").port();
            try (Socket warm = new Socket(host, port)) {
                warm.getOutputStream().write(1);
                warm.getInputStream().read();
            }
            awaitNoOpenConnections(proxy);
            long fdsBefore = fds();
            long heapBefore = heapAfterGc();

            ExecutorService clients = Executors.newFixedThreadPool(8);
            for (int t = 0; t < 8; t++) {
                clients.execute(() -> {
                    for (int i = 0; i < 625; i++) {
                        try (Socket abandoned = new Socket(host, port)) {
                            abandoned.setSoLinger(true, 0); // gone with a reset, as a crashed client goes
                        } catch (IOException e) {
                            // the listen queue may overflow for a moment; what counts is what is left after
                        }
                    }
                });
            }
            clients.shutdown();
            assertThat(clients.awaitTermination(90, TimeUnit.SECONDS)).isTrue();

            List<Socket> halfOpen = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Socket socket = new Socket(host, port);
                socket.getOutputStream().write(new byte[100]);
                socket.shutdownOutput(); // the client is done sending and never reads
                halfOpen.add(socket);
            }
            Socket nonReader = new Socket(host, port);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = nonReader.getOutputStream();
                    byte[] block = new byte[64 * 1024];
                    for (int i = 0; i < 256; i++) { // 16 MiB the echo sends back into a client that never reads
                        out.write(block);
                    }
                } catch (IOException e) {
                    // closed below while blocked: expected
                }
            });
            writer.setDaemon(true);
            writer.start();
            // the half-open ones may already be over (the echo answers a FIN with its own); the non-reader is not
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> proxy.proxy("echo").orElseThrow().connections().open() >= 1);

            for (Socket socket : halfOpen) {
                socket.close();
            }
            nonReader.close();
            writer.join(10_000);

            awaitNoOpenConnections(proxy);
            assertThat(proxy.proxy("echo").orElseThrow().connections().accepted()).isGreaterThanOrEqualTo(1 + 50 + 1);
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        assertThat(fds()).as("file descriptors").isLessThanOrEqualTo(fdsBefore + 10);
                        assertThat(proxyThreads()).as("the proxy's threads, bounded by its pools").isLessThanOrEqualTo(POOL_BOUND);
                        assertThat(heapAfterGc()).as("heap in use after a GC, bytes")
                                .isLessThanOrEqualTo(heapBefore + HEAP_SLACK);
                    });
        }
    }

    /**
     * Every abandoned connection still gets its backend connection (the proxy cannot know the
     * client has gone before it reads), so the echo server takes 5,000 connects in a burst. On a
     * loaded machine its accept queue overflows and the kernel retries the dropped handshakes
     * after 1, 3 and 7 s: with the default 2 s connect timeout those connects fail, the breaker
     * opens (rightly) and turns the non-reader away. This test is about what is left behind, not
     * about a slow backend, so the proxy waits out the retries.
     */
    private static final Duration PATIENT_CONNECT = Duration.ofSeconds(20);

    private static void awaitNoOpenConnections(ChaosProxyServer proxy) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> proxy.proxy("echo").orElseThrow().connections().open() == 0);
    }

    /** The data plane's pool (400), the TCP connector's (64), the scheduler and a few fixed ones: far below 5,000. */
    private static final long POOL_BOUND = 400 + 64 + 16;

    private static long proxyThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().startsWith("chaos-proxy")).count();
    }

    /** The journal keeps an entry per connection (bounded by its capacity): a few MiB, not a leak. */
    private static final long HEAP_SLACK = 32L << 20;

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long fds() throws IOException {
        try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
            return open.count();
        }
    }
}
