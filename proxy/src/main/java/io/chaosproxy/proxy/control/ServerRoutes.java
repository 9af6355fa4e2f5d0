package io.chaosproxy.proxy.control;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** The whole server at once: {@code /health}, {@code /status}, {@code /reset} and {@code /metrics}. */
final class ServerRoutes {
    /** The Prometheus text exposition format, as scrapers expect to be told. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final ChaosProxyServer server;
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();

    ServerRoutes(ChaosProxyServer server) {
        this.server = server;
    }

    void install(RoutesConfig routes) {
        routes.get("/health", this::health);
        routes.get("/status", this::status);
        routes.post("/reset", this::reset);
        routes.get("/metrics", this::metrics);
    }

    private void health(Context ctx) {
        Json.send(ctx, 200, Json.object().put("status", "UP"));
    }

    private void status(Context ctx) {
        ObjectNode status = Json.object();
        status.put("status", "UP");
        status.put("seed", server.seed());
        status.put("startedAt", startedAt.toString());
        status.put("uptimeMs", (System.nanoTime() - startedNanos) / 1_000_000);
        ArrayNode proxies = status.putArray("proxies");
        for (ProxyRuntime proxy : server.proxies()) {
            ObjectNode json = Views.proxy(proxy);
            json.set("counters", Views.counts(server.metrics().counts(proxy.name())).without("faultsFired"));
            proxies.add(json);
        }
        ArrayNode faults = status.putArray("faults");
        server.faults().rules().forEach(rule -> faults.add(rule.toJson()));
        status.set("scenario", server.scenarios().running().map(Views::running).orElse(null));
        ObjectNode journal = status.putObject("journal");
        journal.put("size", server.journal().size());
        journal.put("capacity", server.journal().capacity());
        status.set("counters", Views.counts(server.metrics().counts()));
        status.set("resilience", Views.resilience(server.resilience()));
        status.set("tls", Views.tls(server.listenerTls().orElse(null), server.upstreamTls()));
        Json.send(ctx, 200, status);
    }

    /** {@code ?seed=N} also restarts rule ids and draws from that seed: how a remote JUnit test gets its own seed. */
    private void reset(Context ctx) {
        String seed = ctx.queryParam("seed");
        if (seed == null) {
            server.reset();
        } else {
            server.reset(parseSeed(seed));
        }
        ctx.status(204);
    }

    private static long parseSeed(String seed) {
        try {
            return Long.parseLong(seed.strip());
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("seed", "seed must be a whole number, got '" + seed + "'");
        }
    }

    private void metrics(Context ctx) {
        ctx.status(200).contentType(PROMETHEUS_TEXT).result(server.metrics().scrape().getBytes(StandardCharsets.UTF_8));
    }
}
