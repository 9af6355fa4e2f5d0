package io.chaosproxy.proxy.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.chaosproxy.faults.Fields;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ProxyProtocol;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.config.Upstreams;
import io.chaosproxy.proxy.config.PortInUseException;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /proxies}: named proxies created, re-pointed and removed at run time. A new proxy
 * listens on {@code listen} (default {@code 127.0.0.1:0}, a free port) and starts with closed breakers;
 * {@code "protocol": "tcp"} makes a TCP proxy in front of {@code tcp://host:port} upstreams.
 */
final class ProxyRoutes {
    private static final Set<String> PROXY_FIELDS = Set.of("name", "listen", "upstreams", "protocol");
    private static final Set<String> UPSTREAMS_FIELDS = Set.of("upstreams");

    private final ChaosProxyServer server;

    ProxyRoutes(ChaosProxyServer server) {
        this.server = server;
    }

    void install(RoutesConfig routes) {
        routes.get("/proxies", this::list);
        routes.post("/proxies", this::create);
        routes.get("/proxies/{name}", this::show);
        routes.delete("/proxies/{name}", this::remove);
        routes.put("/proxies/{name}/upstreams", this::replaceUpstreams);
    }

    private void list(Context ctx) {
        ArrayNode proxies = Json.MAPPER.createArrayNode();
        server.proxies().forEach(proxy -> proxies.add(Views.proxy(proxy)));
        Json.send(ctx, 200, proxies);
    }

    private void show(Context ctx) {
        Json.send(ctx, 200, Views.proxy(find(ctx.pathParam("name"))));
    }

    private void create(Context ctx) {
        JsonNode body = Json.readBody(ctx, Json.Accepts.JSON, "a proxy {name, listen, upstreams}");
        Fields.requireObject(body, null, "the body must be a JSON object: {name, listen, upstreams}");
        Fields.rejectUnknown(body, "", PROXY_FIELDS);
        String name = Fields.string(Fields.required(body, "name", "name"), "name");
        ProxyProtocol protocol = protocol(Fields.get(body, "protocol") == null ? "http" : Fields.string(Fields.get(body, "protocol"), "protocol"));
        HostPort listen = listen(Fields.get(body, "listen") == null ? "127.0.0.1:0" : Fields.string(Fields.get(body, "listen"), "listen"));
        List<URI> upstreams = upstreams(body, protocol);
        ProxySpec spec;
        try {
            spec = new ProxySpec(name, listen, upstreams, protocol);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("name", e.getMessage()); // listen and upstreams were checked above
        }
        if (server.proxy(name).isPresent()) {
            throw nameTaken(name);
        }
        ProxyRuntime created;
        try {
            created = server.addProxy(spec);
        } catch (PortInUseException e) {
            throw ApiError.conflict("listen", e.getMessage());
        } catch (IllegalStateException e) {
            throw nameTaken(name); // created by a concurrent call since the check above
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("upstreams", e.getMessage()); // a URL java.net.URI takes but OkHttp does not
        } catch (IOException e) {
            throw ApiError.conflict("listen", "proxy '" + name + "' could not listen on " + listen + ": " + e.getMessage());
        }
        ctx.header("Location", Views.location("proxies", created.name()));
        Json.send(ctx, 201, Views.proxy(created));
    }

    private void remove(Context ctx) {
        String name = ctx.pathParam("name");
        if (!server.removeProxy(name)) {
            throw unknown(name);
        }
        ctx.status(204);
    }

    private void replaceUpstreams(Context ctx) {
        ProxyRuntime proxy = find(ctx.pathParam("name"));
        JsonNode body = Json.readBody(ctx, Json.Accepts.JSON, "{\"upstreams\": [URL, ...]}");
        Fields.requireObject(body, null, "the body must be a JSON object: {\"upstreams\": [URL, ...]}");
        Fields.rejectUnknown(body, "", UPSTREAMS_FIELDS);
        if (body.get("upstreams") == null || body.get("upstreams").isNull()) {
            throw ApiError.badRequest("upstreams", "upstreams is required: an array of backend base URLs");
        }
        List<URI> upstreams = upstreams(body, proxy.protocol());
        try {
            proxy.upstreams(upstreams);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("upstreams", e.getMessage());
        }
        Json.send(ctx, 200, Views.proxy(proxy));
    }

    private ProxyRuntime find(String name) {
        return server.proxy(name).orElseThrow(() -> unknown(name));
    }

    private ApiError unknown(String name) {
        return ApiError.notFound("no proxy named '" + name + "'; proxies: " + names());
    }

    private ApiError nameTaken(String name) {
        return ApiError.conflict("name", "a proxy named '" + name + "' already exists");
    }

    private String names() {
        return String.join(", ", server.proxies().stream().map(ProxyRuntime::name).toList());
    }

    private static HostPort listen(String text) {
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("listen", "listen: " + e.getMessage());
        }
    }

    private static ProxyProtocol protocol(String text) {
        try {
            return ProxyProtocol.fromWireName(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("protocol", e.getMessage());
        }
    }

    private static List<URI> upstreams(JsonNode body, ProxyProtocol protocol) {
        List<String> texts = Fields.get(body, "upstreams") == null ? null : Fields.stringList(Fields.get(body, "upstreams"), "upstreams");
        List<URI> upstreams = new ArrayList<>();
        if (texts == null) {
            return upstreams;
        }
        for (int i = 0; i < texts.size(); i++) {
            String field = "upstreams[" + i + "]";
            URI upstream;
            try {
                upstream = Upstreams.parse(texts.get(i), protocol);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest(field, field + ": " + e.getMessage());
            }
            if (protocol == ProxyProtocol.HTTP && Upstreams.httpUrl(upstream) == null) {
                throw ApiError.badRequest(field, field + ": '" + texts.get(i) + "' is not a usable http(s) URL");
            }
            upstreams.add(upstream);
        }
        return upstreams;
    }
}
