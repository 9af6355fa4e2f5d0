package io.chaosproxy.proxy.control;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.events.EventLog;
import io.chaosproxy.proxy.events.ProxyEvent;
import io.chaosproxy.proxy.metrics.TrafficSeries;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a live view polls beyond {@code /status}: {@code GET /series} (requests per second by status
 * class and latency p50/p99, per second over the last minutes) and {@code GET /events} (breaker
 * transitions and scenario phase changes, numbered so a poller asks only for what is new).
 */
final class LiveRoutes {
    private static final int MAX_EVENTS = EventLog.DEFAULT_CAPACITY;

    private final ChaosProxyServer server;

    LiveRoutes(ChaosProxyServer server) {
        this.server = server;
    }

    void install(RoutesConfig routes) {
        routes.get("/series", this::series);
        routes.get("/events", this::events);
    }

    private void series(Context ctx) {
        Map<String, List<String>> params = JournalRoutes.parseQuery(ctx.queryString());
        JournalRoutes.onlyOnce(params, Set.of("seconds"));
        Integer asked = JournalRoutes.number(params, "seconds", 1, TrafficSeries.SECONDS);
        ObjectNode json = Json.object();
        json.put("stepSeconds", 1);
        ArrayNode points = json.putArray("points");
        for (TrafficSeries.Point point : server.traffic().lastSeconds(asked == null ? TrafficSeries.SECONDS : asked)) {
            ObjectNode p = points.addObject();
            p.put("t", point.epochSecond());
            p.put("1xx", point.status1xx());
            p.put("2xx", point.status2xx());
            p.put("3xx", point.status3xx());
            p.put("4xx", point.status4xx());
            p.put("5xx", point.status5xx());
            p.put("dropped", point.dropped());
            p.put("p50Ms", point.p50Ms());
            p.put("p99Ms", point.p99Ms());
        }
        Json.send(ctx, 200, json);
    }

    private void events(Context ctx) {
        Map<String, List<String>> params = JournalRoutes.parseQuery(ctx.queryString());
        JournalRoutes.onlyOnce(params, Set.of("after", "limit"));
        Integer after = JournalRoutes.number(params, "after", 0, Integer.MAX_VALUE);
        Integer limit = JournalRoutes.number(params, "limit", 1, MAX_EVENTS);
        EventLog log = server.events();
        ObjectNode json = Json.object();
        json.put("last", log.lastSeq());
        ArrayNode events = json.putArray("events");
        for (EventLog.Numbered numbered : log.after(after == null ? 0 : after, limit == null ? MAX_EVENTS : limit)) {
            events.add(Views.event(numbered));
        }
        Json.send(ctx, 200, json);
    }
}
