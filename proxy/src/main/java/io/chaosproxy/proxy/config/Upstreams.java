package io.chaosproxy.proxy.config;

import java.net.URI;
import java.net.URISyntaxException;
import okhttp3.HttpUrl;

/**
 * Parses and checks backend addresses: for HTTP proxies absolute http(s) or h2c URLs with a host,
 * no query or fragment ({@code h2c://} is cleartext HTTP/2 with prior knowledge, as gRPC backends
 * speak it); for TCP proxies {@code tcp://host:port}.
 */
public final class Upstreams {
    /** The scheme of a cleartext HTTP/2 backend spoken to with prior knowledge (no upgrade, no ALPN). */
    public static final String H2C = "h2c";

    private Upstreams() {}

    /**
     * The URL OkHttp calls for a backend, or null when OkHttp cannot use it: OkHttp knows http and
     * https only, so an h2c URL becomes its http twin (the h2c client speaks HTTP/2 to it).
     */
    public static HttpUrl httpUrl(URI uri) {
        String text = uri.toString();
        return HttpUrl.parse(isH2c(uri) ? "http" + text.substring(H2C.length()) : text);
    }

    /** True for an {@code h2c://} backend. */
    public static boolean isH2c(URI uri) {
        return H2C.equalsIgnoreCase(uri.getScheme());
    }

    public static URI parse(String text) {
        try {
            URI uri = new URI(text == null ? "" : text.trim());
            validate(uri);
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("upstream '" + text + "' is not a URL: " + e.getReason());
        }
    }

    /** {@code tcp://host:port}, or a bare {@code host:port} taken as one. */
    public static URI parseTcp(String text) {
        String value = text == null ? "" : text.trim();
        if (!value.contains("://")) {
            try {
                value = "tcp://" + HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("upstream '" + text + "' must be tcp://HOST:PORT or HOST:PORT");
            }
        }
        try {
            URI uri = new URI(value);
            validateTcp(uri);
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("upstream '" + text + "' is not a tcp://HOST:PORT address: " + e.getReason());
        }
    }

    /** Parses an upstream of a proxy speaking {@code protocol}. */
    public static URI parse(String text, ProxyProtocol protocol) {
        return protocol == ProxyProtocol.TCP ? parseTcp(text) : parse(text);
    }

    public static void validate(URI uri, ProxyProtocol protocol) {
        if (protocol == ProxyProtocol.TCP) {
            validateTcp(uri);
        } else {
            validate(uri);
        }
    }

    /** {@code tcp://host:port} and nothing else: no path, query, fragment or user. */
    public static void validateTcp(URI uri) {
        if (!"tcp".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("upstream '" + uri + "' of a TCP proxy must start with tcp://");
        }
        if (uri.getHost() == null || uri.getPort() < 1) {
            throw new IllegalArgumentException("upstream '" + uri + "' must name a host and a port 1-65535: tcp://HOST:PORT");
        }
        boolean hasPath = uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/");
        if (hasPath || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("upstream '" + uri + "' must be just tcp://HOST:PORT");
        }
    }

    public static void validate(URI uri) {
        if (uri.getRawUserInfo() != null) {
            // named without the credentials: this message reaches logs and API answers
            throw new IllegalArgumentException("upstream '" + withoutUserInfo(uri) + "' must not carry credentials (user:password@):"
                    + " the proxy forwards the client's own Authorization and would never send them");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")
                || scheme.equalsIgnoreCase(H2C))) {
            throw new IllegalArgumentException("upstream '" + uri + "' must start with http://, https:// or h2c://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("upstream '" + uri + "' has no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("upstream '" + uri + "' must not have a query or fragment");
        }
    }

    private static String withoutUserInfo(URI uri) {
        String text = uri.toString();
        int at = text.indexOf('@');
        int schemeEnd = text.indexOf("://");
        return schemeEnd < 0 || at < 0 ? "(an URL with credentials)" : text.substring(0, schemeEnd + 3) + "***@" + text.substring(at + 1);
    }
}
