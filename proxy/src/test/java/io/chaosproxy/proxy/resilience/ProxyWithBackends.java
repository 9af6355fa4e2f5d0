package io.chaosproxy.proxy.resilience;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A real {@link ChaosProxyServer} in front of MockWebServer backends, and a client that never
 * retries on its own, so every count at a backend is the proxy's doing.
 */
final class ProxyWithBackends implements AutoCloseable {
    final List<MockWebServer> backends;
    final ChaosProxyServer server;
    final OkHttpClient client;

    private ProxyWithBackends(List<MockWebServer> backends, ChaosProxyServer server) {
        this.backends = backends;
        this.server = server;
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(512);
        dispatcher.setMaxRequestsPerHost(512);
        this.client = new OkHttpClient.Builder()
                .retryOnConnectionFailure(false)
                .followRedirects(false)
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(256, 1, TimeUnit.MINUTES))
                .readTimeout(Duration.ofSeconds(20))
                .build();
    }

    /** {@code count} fresh backends, in upstream order, behind a proxy with {@code settings}. */
    static ProxyWithBackends start(int count, ResilienceSettings settings) throws IOException {
        List<MockWebServer> backends = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MockWebServer backend = new MockWebServer();
            backend.start(0);
            backends.add(backend);
            urls.add(backend.url("/").toString());
        }
        return start(urls, backends, settings);
    }

    /** A proxy over {@code upstreams} (which may name dead ports), owning {@code backends}. */
    static ProxyWithBackends start(List<String> upstreams, List<MockWebServer> backends, ResilienceSettings settings)
            throws IOException {
        ChaosProxyServer server = ChaosProxyServer.builder()
                .upstream(upstreams.toArray(String[]::new))
                .resilience(settings)
                .seed(42)
                .build()
                .start();
        return new ProxyWithBackends(backends, server);
    }

    /** Settings for tests: the defaults but a backoff short enough not to show in a test's run time. */
    static ResilienceSettings.Builder quickSettings() {
        return ResilienceSettings.builder().backoff(Duration.ofMillis(1), Duration.ofMillis(5));
    }

    MockWebServer backend(int index) {
        return backends.get(index);
    }

    /** Requests that reached any backend, counted by the backends themselves. */
    int upstreamRequests() {
        return backends.stream().mapToInt(MockWebServer::getRequestCount).sum();
    }

    Request.Builder request(String path) {
        return new Request.Builder().url(server.url().resolve(path).toString());
    }

    Reply get(String path) throws IOException {
        return send(request(path).get().build());
    }

    Reply send(String method, String path, RequestBody body) throws IOException {
        return send(request(path).method(method, body).build());
    }

    Reply send(Request request) throws IOException {
        long start = System.nanoTime();
        try (Response response = client.newCall(request).execute()) {
            byte[] body = response.body().bytes();
            return new Reply(response.code(), response.headers(), body, (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** The journal entry of the one exchange on {@code path}, once the proxy has recorded it. */
    JournalEntry journalEntry(String path) throws InterruptedException {
        List<JournalEntry> found = server.journal().await(JournalQuery.ALL.withPath(path), 1, Duration.ofSeconds(5));
        if (found.size() != 1) {
            throw new AssertionError("expected one journal entry for " + path + ", found " + found);
        }
        return found.get(0);
    }

    String label(int backendIndex) {
        return server.proxies().get(0).backends().get(backendIndex).label();
    }

    CircuitBreaker breaker(int backendIndex) {
        return server.proxies().get(0).backends().get(backendIndex).breaker();
    }

    @Override
    public void close() {
        client.dispatcher().cancelAll();
        client.dispatcher().executorService().shutdownNow();
        client.connectionPool().evictAll();
        server.close();
        for (MockWebServer backend : backends) {
            backend.close();
        }
    }

    /** What the client received, and how long it waited for it. */
    record Reply(int status, Headers headers, byte[] body, long elapsedMillis) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name);
        }
    }
}
