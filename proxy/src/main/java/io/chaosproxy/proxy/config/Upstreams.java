package io.chaosproxy.proxy.config;

import java.net.URI;
import java.net.URISyntaxException;

/** Parses and checks backend base URLs: absolute http(s) URLs with a host, no query or fragment. */
public final class Upstreams {
    private Upstreams() {}

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
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("upstream '" + uri + "' must start with http:// or https://");
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
