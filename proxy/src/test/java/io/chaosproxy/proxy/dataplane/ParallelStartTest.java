package io.chaosproxy.proxy.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.chaosproxy.proxy.ChaosProxyServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the start does on a second CPU (the upstream clients, then a throwaway exchange through a
 * private listener) leaves nothing behind and is seen by nobody: no thread once it is done, no
 * journal entry, and a proxy closed in the middle of it closes cleanly.
 */
class ParallelStartTest {

    @Test
    void aServerBuiltButNeverStartedKeepsNoThread() {
        ChaosProxyServer.builder().build(); // neither started nor closed, as a careless test might leave it

        awaitNoThread("chaos-proxy-start");
    }

    @Test
    void theWarmUpExchangeIsNeverJournaledAndTheFirstRealOneIs() throws Exception {
        HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        backend.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        backend.start();
        try (ChaosProxyServer proxy = ChaosProxyServer.builder()
                .upstream("http://127.0.0.1:" + backend.getAddress().getPort()).build().start()) {
            awaitNoThread("chaos-proxy-start"); // the warm-up is over

            HttpResponse<Void> first = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(proxy.url().resolve("/first")).build(), HttpResponse.BodyHandlers.discarding());

            assertThat(first.statusCode()).isEqualTo(204);
            assertThat(proxy.journal().query(io.chaosproxy.proxy.journal.JournalQuery.ALL))
                    .extracting(entry -> entry.path()).containsExactly("/first");
        } finally {
            backend.stop(0);
        }
    }

    @Test
    void aProxyClosedWhileItsStartIsStillWarmingUpLeavesNothingRunning() throws Exception {
        Set<Thread> before = aliveThreads(); // earlier tests' idle upstream threads may linger a minute
        for (int i = 0; i < 20; i++) {
            ChaosProxyServer proxy = ChaosProxyServer.builder().build().start();
            URI url = proxy.url();
            proxy.close();
            assertThat(accepts(url)).as("port %d after close", url.getPort()).isFalse();
        }

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(aliveThreads().stream()
                .filter(thread -> !before.contains(thread)).map(Thread::getName).filter(name -> name.startsWith("chaos-proxy")))
                .as("threads of the closed proxies").isEmpty());
    }

    private static void awaitNoThread(String prefix) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(aliveThreads().stream().map(Thread::getName)
                .filter(name -> name.startsWith(prefix))).isEmpty());
    }

    private static Set<Thread> aliveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }

    private static boolean accepts(URI url) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
