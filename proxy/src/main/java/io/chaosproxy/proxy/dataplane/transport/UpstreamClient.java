package io.chaosproxy.proxy.dataplane.transport;

import io.chaosproxy.proxy.resilience.Backend;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/**
 * One proxy's OkHttp clients: a cleartext one at once; its HTTP/2-with-prior-knowledge twin for
 * {@code h2c://} backends, the TLS one, the one for WebSocket sessions and the one that never
 * reuses a connection, each the first time it is needed. Setting up TLS reads the JVM's trust
 * store, about 0.3 s of CPU that a proxy in front of plain http backends (and every
 * {@code java -jar} start) would otherwise pay for nothing; the others cost a cold test JVM's
 * first proxy a few milliseconds each.
 */
public final class UpstreamClient {
    private final OkHttpClient cleartext;
    private final Lazy<OkHttpClient> h2c;
    private final Lazy<OkHttpClient> tls;
    private final Lazy<UpstreamClient> fresh;
    private final Lazy<UpstreamClient> webSockets;

    UpstreamClient(OkHttpClient cleartext, UnaryOperator<OkHttpClient.Builder> withTls, ExecutorService threads) {
        this.cleartext = cleartext;
        // newBuilder() shares the dispatcher, the pool, the interceptors and the timeouts; the pool
        // keys connections by protocol, so an h2c connection never serves an HTTP/1.1 call
        this.h2c = new Lazy<>(() -> cleartext.newBuilder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build());
        this.tls = new Lazy<>(() -> withTls.apply(cleartext.newBuilder()).build());
        this.fresh = new Lazy<>(() -> new UpstreamClient(
                cleartext.newBuilder().connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS)).build(), withTls, threads));
        // threads: the proxy's daemon threads, stopped with the data plane
        this.webSockets = new Lazy<>(() -> webSocketsOn(threads, withTls));
    }

    /** The client for a call to {@code url}. */
    public OkHttpClient forUrl(HttpUrl url) {
        return url.isHttps() ? tls.get() : cleartext;
    }

    /** The client for a call to {@code backend}: h2c backends get HTTP/2 with prior knowledge. */
    public OkHttpClient forBackend(Backend backend, HttpUrl url) {
        return backend.speaksH2c() ? h2c.get() : forUrl(url);
    }

    /**
     * The same clients without reuse: every call opens a new connection. For sending a request
     * again after a pooled connection turned out to be closed by the backend (see
     * the data plane's stale-connection check): another pooled one might be just as stale.
     */
    public OkHttpClient freshConnection(Backend backend, HttpUrl url) {
        return fresh.get().forBackend(backend, url);
    }

    /** Sets up TLS now, at start, when a configured backend is https: its first call should not pay for it. */
    public void prepareTls() {
        tls.get();
    }

    /**
     * The same clients on a dispatcher of their own, without limits: OkHttp reads an open WebSocket
     * on its dispatcher for the session's whole life, so sessions must never hold up HTTP calls.
     */
    public UpstreamClient forWebSockets() {
        return webSockets.get();
    }

    private UpstreamClient webSocketsOn(ExecutorService threads, UnaryOperator<OkHttpClient.Builder> withTls) {
        Dispatcher sessions = new Dispatcher(threads);
        sessions.setMaxRequests(Integer.MAX_VALUE);
        sessions.setMaxRequestsPerHost(Integer.MAX_VALUE);
        // a session may go quiet for as long as it likes, in either direction
        return new UpstreamClient(cleartext.newBuilder().dispatcher(sessions).writeTimeout(java.time.Duration.ZERO).build(),
                withTls, threads);
    }
}
