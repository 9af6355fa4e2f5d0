package io.chaosproxy.proxy.control;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.PathGlob;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.javalin.http.Context;
import io.javalin.config.RoutesConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /requests}: the journal, oldest first, filtered by {@code proxy}, {@code method},
 * {@code path} (exact or a glob), {@code status}, {@code fault} (a rule id) and {@code limit}
 * (the newest N). An unknown or repeated filter is refused rather than ignored: a typo in a CI
 * script should fail loudly, not match everything.
 */
final class JournalRoutes {
    private static final Set<String> FILTERS = Set.of("proxy", "method", "path", "status", "fault", "limit");

    private final ChaosProxyServer server;

    JournalRoutes(ChaosProxyServer server) {
        this.server = server;
    }

    void install(RoutesConfig routes) {
        routes.get("/requests", this::list);
        routes.delete("/requests", this::clear);
    }

    private void list(Context ctx) {
        JournalQuery query = query(parseQuery(ctx.queryString()));
        ArrayNode entries = Json.MAPPER.createArrayNode();
        server.journal().query(query).forEach(entry -> entries.add(Views.entry(entry)));
        Json.send(ctx, 200, entries);
    }

    private void clear(Context ctx) {
        server.journal().clear();
        ctx.status(204);
    }

    /** Decodes the query string strictly: a broken percent-escape is an error, not a silently dropped filter. */
    static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), null);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
            params.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
        }
        return params;
    }

    private static String decode(String text, String field) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(field, "malformed percent-encoding in the query: '" + text + "'");
        }
    }

    static JournalQuery query(Map<String, List<String>> params) {
        onlyOnce(params, FILTERS);
        String path = text(params, "path");
        if (path != null) {
            try {
                PathGlob.compile(path);
            } catch (FaultSpecException e) {
                throw ApiError.badRequest("path", e.getMessage().replace("match.path", "path"));
            }
        }
        Integer status = number(params, "status", 100, 599);
        Integer limit = number(params, "limit", 0, Integer.MAX_VALUE);
        return new JournalQuery(text(params, "proxy"), text(params, "method"), path, status, text(params, "fault"), limit);
    }

    /** Refuses a parameter not in {@code known}, or one given twice: a typo must fail loudly, not match everything. */
    static void onlyOnce(Map<String, List<String>> params, Set<String> known) {
        for (Map.Entry<String, List<String>> param : params.entrySet()) {
            if (!known.contains(param.getKey())) {
                throw ApiError.badRequest(param.getKey(), "unknown filter \"" + param.getKey() + "\"; filters: "
                        + String.join(", ", known.stream().sorted().toList()));
            }
            if (param.getValue().size() > 1) {
                throw ApiError.badRequest(param.getKey(), "filter \"" + param.getKey() + "\" is given more than once");
            }
        }
    }

    private static String text(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty() || values.get(0).isEmpty()) {
            return null;
        }
        return values.get(0);
    }

    /** A whole-number parameter within {@code min..max}, or null when absent; a bad one is a 400 naming it. */
    static Integer number(Map<String, List<String>> params, String name, int min, int max) {
        String text = text(params, name);
        if (text == null) {
            return null;
        }
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name, name + " must be a whole number, got '" + text + "'");
        }
        if (value < min || value > max) {
            throw ApiError.badRequest(name, name + " must be " + (max == Integer.MAX_VALUE ? ">= " + min : min + "-" + max)
                    + ", got " + value);
        }
        return value;
    }
}
