package io.chaosproxy.proxy.dataplane.transport;

import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.config.UpstreamTls;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.List;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Builds the OkHttp clients of the proxies. All share one dispatcher and one connection pool; each
 * proxy gets its own timeouts through {@code newBuilder()}, which shares those resources.
 *
 * <p>HTTPS backends are checked as {@link UpstreamTls} says. OkHttp offers h2 and http/1.1 through
 * ALPN, so a TLS backend that speaks HTTP/2 gets HTTP/2; cleartext backends get HTTP/1.1, and
 * {@code h2c://} backends HTTP/2 with prior knowledge (see {@link UpstreamClient}).
 */
public final class UpstreamClients implements AutoCloseable {
    /** OkHttp's defaults (64 calls, 5 per host) suit an app, not a proxy with hundreds in flight. */
    private static final int MAX_CONCURRENT_CALLS = 4096;
    /** Idle keep-alive connections kept per process, so bursts reuse connections instead of reconnecting. */
    private static final int MAX_IDLE_CONNECTIONS = 512;
    /** A warm-up call that takes longer than this has nothing left to save. */
    private static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(5);

    private final ExecutorService executor;
    private final OkHttpClient base;
    private final UpstreamTls tls;

    /**
     * {@code interceptor} sees each call once, before OkHttp connects (the data plane's upstream
     * faults); {@code networkInterceptors} see, in order, what goes on the wire (stale-connection
     * checks, header fidelity). All come from the data plane, so that this wiring never depends on it.
     */
    public UpstreamClients(UpstreamTls tls, Interceptor interceptor, List<Interceptor> networkInterceptors) {
        // OkHttp's builder first: it sets up OkHttp's platform (the JVM's security providers), the
        // largest part of a cold start on this side, and needs nothing of Jetty's, whose logging
        // another thread may be booting meanwhile (ExchangeThreads asks Jetty about virtual threads)
        OkHttpClient.Builder builder = new OkHttpClient.Builder();
        this.executor = ExchangeThreads.newUpstreamExecutor();
        Dispatcher dispatcher = new Dispatcher(executor);
        dispatcher.setMaxRequests(MAX_CONCURRENT_CALLS);
        dispatcher.setMaxRequestsPerHost(MAX_CONCURRENT_CALLS);
        this.tls = tls;
        // cleartext only until an https backend asks for TLS (see UpstreamClient)
        builder.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT))
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(MAX_IDLE_CONNECTIONS, 5, TimeUnit.MINUTES))
                // OkHttp would silently replay a POST on a stale pooled connection: retries are ours alone.
                .retryOnConnectionFailure(false)
                // Connect on the call's own thread (a virtual one on Java 21+). Fast fallback races
                // each new connection on a thread of OkHttp's task pool instead: a burst of new
                // connections (a thousand held exchanges let go at once) started a platform thread
                // for each.
                .fastFallback(false)
                .followRedirects(false)
                .followSslRedirects(false)
                .addInterceptor(interceptor);
        networkInterceptors.forEach(builder::addNetworkInterceptor);
        this.base = builder.build();
    }

    public UpstreamClient forProxy(ResilienceSettings settings) {
        OkHttpClient cleartext = base.newBuilder()
                .connectTimeout(settings.connectTimeout())
                // The try timeout is ours (until headers); reads of a long stream may idle as long as they like.
                .readTimeout(Duration.ZERO)
                // No write timeout for the calls without a body: okio puts every timed write on one
                // global queue under one lock, and a request head fits in the socket's buffer anyway.
                .writeTimeout(Duration.ZERO)
                .addInterceptor(bodyWriteTimeout(settings.tryTimeout()))
                .callTimeout(Duration.ZERO)
                .build();
        return new UpstreamClient(cleartext, builder -> UpstreamTrust.apply(tls,
                builder.connectionSpecs(List.of(ConnectionSpec.MODERN_TLS, ConnectionSpec.CLEARTEXT))), executor);
    }

    /**
     * While a client uploads, the try timeout waits (the client's time is not the backend's): a
     * backend that stops reading the body meets this write timeout instead.
     */
    private static Interceptor bodyWriteTimeout(Duration timeout) {
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        return chain -> chain.request().body() == null
                ? chain.proceed(chain.request())
                : chain.withWriteTimeout(millis, TimeUnit.MILLISECONDS).proceed(chain.request());
    }

    /**
     * One throwaway GET to {@code url} on the shared client (its interceptors included), answer
     * discarded: so that the first real call does not load OkHttp's call path (connection, codec,
     * Okio, Kotlin) one class after another. Any failure is ignored.
     */
    public void warmUp(HttpUrl url) {
        OkHttpClient once = base.newBuilder().callTimeout(WARM_UP_TIMEOUT).build();
        try (Response response = once.newCall(warmUpRequest(url)).execute()) {
            response.body().bytes();
        } catch (IOException | RuntimeException e) {
            // nothing lost but the time it was meant to save
        }
    }

    /**
     * What every call does before it reaches a socket (a URL parsed, a request built with a tag, a
     * call made, never executed), for when there is no server yet to {@link #warmUp} against. OkHttp's
     * URL parsing alone (host names, IDNA) is over a hundred classes.
     */
    public void prepareFirstCall() {
        base.newCall(warmUpRequest(HttpUrl.get("http://127.0.0.1/")));
    }

    private static Request warmUpRequest(HttpUrl url) {
        return new Request.Builder().url(url).header("Connection", "close")
                .tag(String.class, "warm-up") // as real calls carry a tag: Kotlin's class references load here too
                .build();
    }

    @Override
    public void close() {
        base.dispatcher().cancelAll();
        executor.shutdown();
        base.connectionPool().evictAll();
    }
}
