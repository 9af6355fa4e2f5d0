package io.chaosproxy.proxy.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.faults.Fields;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.faults.ScenarioCatalog;
import io.chaosproxy.faults.ScenarioJson;
import io.chaosproxy.faults.ScenarioParser;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.scenario.RunningScenario;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code /scenarios}: the built-in catalog and the one scenario in progress. {@code POST} takes
 * {@code {"name": "outage"}} for a built-in or a whole scenario document, as JSON or (with a YAML
 * Content-Type) YAML, and replaces whatever was running.
 */
final class ScenarioRoutes {
    private final ChaosProxyServer server;

    ScenarioRoutes(ChaosProxyServer server) {
        this.server = server;
    }

    void install(RoutesConfig routes) {
        routes.get("/scenarios", this::list);
        routes.post("/scenarios", this::start);
        routes.get("/scenarios/running", this::showRunning);
        routes.delete("/scenarios/running", this::stop);
    }

    private void list(Context ctx) {
        ObjectNode answer = Json.object();
        ArrayNode catalog = answer.putArray("catalog");
        ScenarioCatalog.builtIns().forEach(scenario -> catalog.add(ScenarioJson.toJson(scenario)));
        answer.set("running", server.scenarios().running().map(Views::running).orElse(null));
        Json.send(ctx, 200, answer);
    }

    private void start(Context ctx) {
        JsonNode body = Json.readBody(ctx, Json.Accepts.JSON_OR_YAML,
                "{\"name\": \"outage\"} or a scenario document with name and phases");
        Scenario scenario = isBuiltInReference(body) ? builtIn(body.get("name")) : ScenarioParser.parse(body);
        server.checkTargets(scenario);
        RunningScenario running = server.scenarios().start(scenario);
        ctx.header("Location", "/scenarios/running");
        Json.send(ctx, 201, Views.running(running));
    }

    private void showRunning(Context ctx) {
        RunningScenario running = server.scenarios().running().orElseThrow(ScenarioRoutes::noneRunning);
        Json.send(ctx, 200, Views.running(running));
    }

    private void stop(Context ctx) {
        if (!server.scenarios().stop()) {
            throw noneRunning();
        }
        ctx.status(204);
    }

    /** {@code {"name": ...}} alone names a built-in; a document has phases too. */
    private static boolean isBuiltInReference(JsonNode body) {
        return body.isObject() && body.size() == 1 && body.has("name");
    }

    private static Scenario builtIn(JsonNode name) {
        return ScenarioCatalog.find(Fields.string(name, "name")).orElseThrow(() -> ApiError.badRequest("name",
                "no built-in scenario named '" + name.textValue() + "'; built-ins: "
                        + String.join(", ", ScenarioCatalog.names())
                        + " (or send a whole document with name and phases)"));
    }

    private static ApiError noneRunning() {
        return ApiError.notFound("no scenario is running");
    }
}
