package io.chaosproxy.proxy.dataplane;

import java.util.Locale;
import java.util.Set;

/**
 * The headers that belong to one connection and must not be forwarded (RFC 9110 section 7.6.1):
 * the fixed list, plus every header the {@code Connection} header names.
 */
final class HopByHopHeaders {

    private static final Set<String> ALWAYS = Set.of(
            "connection", "keep-alive", "proxy-connection", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHopHeaders() {}

    /**
     * A test for one message: true for the fixed hop-by-hop names and those listed in its
     * {@code Connection} values (comma-separated tokens, any case).
     */
    static Set<String> namedIn(Iterable<String> connectionValues) {
        java.util.HashSet<String> named = null;
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) {
                    if (named == null) {
                        named = new java.util.HashSet<>();
                    }
                    named.add(name);
                }
            }
        }
        return named == null ? Set.of() : named;
    }

    /** True when {@code lowerCaseName} is hop-by-hop for a message whose Connection header named {@code named}. */
    static boolean isHopByHop(String lowerCaseName, Set<String> named) {
        return ALWAYS.contains(lowerCaseName) || named.contains(lowerCaseName);
    }

    /**
     * The same test for a name in any case, without lower-casing it first: it runs for every
     * header of every response, and {@code named} is empty unless the message had a Connection header.
     */
    static boolean isHopByHopAnyCase(String name, Set<String> named) {
        if (isAlwaysHopByHop(name)) {
            return true;
        }
        return !named.isEmpty() && named.contains(name.toLowerCase(Locale.ROOT));
    }

    /** One of the fixed names, in any case; the length sorts out nearly every other header at once. */
    static boolean isAlwaysHopByHop(String name) {
        return switch (name.length()) {
            case 2 -> name.equalsIgnoreCase("te");
            case 7 -> name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
            case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
            case 16 -> name.equalsIgnoreCase("proxy-connection");
            case 17 -> name.equalsIgnoreCase("transfer-encoding");
            case 18 -> name.equalsIgnoreCase("proxy-authenticate");
            case 19 -> name.equalsIgnoreCase("proxy-authorization");
            default -> false;
        };
    }
}
