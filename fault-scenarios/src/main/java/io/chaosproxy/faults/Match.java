package io.chaosproxy.faults;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The conditions a request must meet for a rule to apply; every condition given must hold.
 *
 * @param methods HTTP methods, stored upper-case; empty means any method
 * @param path    a path glob; {@code null} means any path
 * @param headers header values the request must carry exactly; names are case-insensitive;
 *                empty means no header condition
 */
public record Match(Set<String> methods, PathGlob path, Map<String, String> headers) {

    /** Matches every request. */
    public static final Match ANY = new Match(Set.of(), null, Map.of());

    public Match {
        methods = upperCaseMethods(methods);
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        Check.headers("match.headers", headers);
        Set<String> seen = new LinkedHashSet<>();
        for (String name : headers.keySet()) {
            if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                throw new FaultSpecException("match.headers",
                        "match.headers names " + name + " twice (header names are case-insensitive)");
            }
        }
    }

    /** Whether the request meets every condition. */
    public boolean matches(RequestFacts request) {
        if (!methods.isEmpty()) {
            String method = request.method();
            if (method == null || !methods.contains(method.toUpperCase(Locale.ROOT))) {
                return false;
            }
        }
        if (path != null && !path.matches(request.path())) {
            return false;
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!header.getValue().equals(request.header(header.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Whether this is the match-everything default, so writers can leave it out. */
    public boolean isAny() {
        return methods.isEmpty() && path == null && headers.isEmpty();
    }

    private static Set<String> upperCaseMethods(Set<String> methods) {
        if (methods == null || methods.isEmpty()) {
            return Set.of();
        }
        // Insertion order is kept so a rule reads back the way it was written.
        Set<String> upper = new LinkedHashSet<>();
        for (String method : methods) {
            if (!Check.isToken(method)) {
                throw new FaultSpecException("match.methods", "match.methods has an invalid HTTP method \""
                        + method + "\"");
            }
            upper.add(method.toUpperCase(Locale.ROOT));
        }
        return Collections.unmodifiableSet(upper);
    }
}
