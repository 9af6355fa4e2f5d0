package io.chaosproxy.proxy.config;

import java.net.URI;
import java.net.URISyntaxException;
import okhttp3.HttpUrl;

/**
 * Parses and checks backend base URLs: absolute http(s) or h2c URLs with a host, no query or
 * fragment. {@code h2c://} is cleartext HTTP/2 with prior knowledge, as gRPC backends speak it.
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
