package io.chaosproxy.proxy.resilience;

import io.chaosproxy.proxy.config.Upstreams;
import java.net.URI;
import okhttp3.HttpUrl;

/** One backend of a proxy: its base URL (or a TCP proxy's {@code tcp://host:port}) and its circuit breaker. */
public final class Backend {
    private final URI baseUri;
    private final HttpUrl baseUrl;
    private final String basePath;
    private final CircuitBreaker breaker;
    private final boolean priorKnowledge;

    public Backend(URI baseUri, CircuitBreaker breaker) {
        this.baseUri = baseUri;
        this.priorKnowledge = Upstreams.isH2c(baseUri);
        boolean tcp = "tcp".equalsIgnoreCase(baseUri.getScheme()); // a byte pipe's backend has no URL paths
        this.baseUrl = tcp ? null : Upstreams.httpUrl(baseUri);
        if (!tcp && baseUrl == null) {
            throw new IllegalArgumentException("upstream '" + baseUri + "' is not a usable URL");
        }
        String path = tcp ? "" : baseUrl.encodedPath();
        // "http://h/api/" and "http://h/api" both mean: prefix request paths with "/api".
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.breaker = breaker;
    }

    /** The backend URL for a request path and query, both as the client encoded them. */
    public HttpUrl resolve(String encodedPath, String encodedQuery) {
        String path = encodedPath == null || encodedPath.isEmpty() ? "/" : encodedPath;
        return baseUrl.newBuilder()
                .encodedPath(basePath + path)
                .encodedQuery(encodedQuery)
                .build();
    }

    /** True for an {@code h2c://} backend: cleartext HTTP/2 with prior knowledge. */
    public boolean speaksH2c() {
        return priorKnowledge;
    }

    public URI uri() {
        return baseUri;
    }

    /** How the journal, access log and status name this backend. */
    public String label() {
        return baseUri.toString();
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public String toString() {
        return label();
    }
}
