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
}
