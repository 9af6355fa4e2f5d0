package io.chaosproxy.proxy.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.FaultRuleParser;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;

/**
 * {@code /faults}: install one rule (an object) or several at once (an array: all or none),
 * list, show and remove them. Parsing and every field check are {@link FaultRuleParser}'s; this
 * class adds the one check only the server can make: that a rule's {@code proxy} exists.
 */
final class FaultRoutes {
    private final ChaosProxyServer server;

    FaultRoutes(ChaosProxyServer server) {
        this.server = server;
    }

    void install(RoutesConfig routes) {
        routes.get("/faults", this::list);
        routes.post("/faults", this::create);
        routes.delete("/faults", this::removeAll);
        routes.get("/faults/{id}", this::show);
        routes.delete("/faults/{id}", this::remove);
    }

    private void list(Context ctx) {
        ArrayNode rules = Json.MAPPER.createArrayNode();
        server.faults().rules().forEach(rule -> rules.add(rule.toJson()));
        Json.send(ctx, 200, rules);
    }

    private void create(Context ctx) {
        JsonNode body = Json.readBody(ctx, Json.Accepts.JSON, "a fault rule such as {\"type\": \"error\", \"status\": 503}");
        if (body.isArray()) {
            List<FaultRule> rules = FaultRuleParser.parseList(body, "");
            for (int i = 0; i < rules.size(); i++) {
                server.checkTargets(rules.get(i), "[" + i + "].");
            }
            List<InstalledRule> installed = server.faults().installAll(rules, "api");
            ArrayNode answer = Json.MAPPER.createArrayNode();
            installed.forEach(rule -> answer.add(rule.toJson()));
            Json.send(ctx, 201, answer);
            return;
        }
        FaultRule rule = FaultRuleParser.parse(body);
        server.checkTargets(rule, "");
        InstalledRule installed = server.inject(rule);
        ctx.header("Location", Views.location("faults", installed.id()));
        Json.send(ctx, 201, installed.toJson());
    }

    private void show(Context ctx) {
        String id = ctx.pathParam("id");
        InstalledRule rule = server.faults().find(id).orElseThrow(() -> unknown(id));
        Json.send(ctx, 200, rule.toJson());
    }

    private void remove(Context ctx) {
        String id = ctx.pathParam("id");
        if (!server.faults().remove(id)) {
            throw unknown(id);
        }
        ctx.status(204);
    }

    private void removeAll(Context ctx) {
        server.faults().removeAll();
        ctx.status(204);
    }

    private static ApiError unknown(String id) {
        return ApiError.notFound("no fault rule with id '" + id + "' (it may have expired or been removed)");
    }
}
