package io.chaosproxy.proxy.control;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard: {@code GET /} answers the page and {@code GET /dashboard/{asset}} its script, style
 * and chart library, all read from the jar (no CDN, so it works offline and in CI). Only the names
 * listed here are served, so a path can never reach another resource. The page itself needs no
 * token; the data calls it makes do.
 */
final class DashboardRoutes {
    static final String ASSET_PREFIX = "/dashboard/";
    private static final String PAGE = "io/chaosproxy/proxy/dashboard/";
    /** The uPlot WebJar's own record of its version, so the pom alone says which one is bundled. */
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

    private final Map<String, Asset> assets;

    private record Asset(String resource, String contentType) {}

    DashboardRoutes() {
        String uplot = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
        this.assets = Map.of(
                "dashboard.js", new Asset(PAGE + "dashboard.js", "text/javascript; charset=utf-8"),
                "dashboard.css", new Asset(PAGE + "dashboard.css", "text/css; charset=utf-8"),
                "uPlot.iife.min.js", new Asset(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
                "uPlot.min.css", new Asset(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
    }

    void install(RoutesConfig routes) {
        routes.get("/", ctx -> send(ctx, new Asset(PAGE + "index.html", "text/html; charset=utf-8")));
        routes.get(ASSET_PREFIX + "{asset}", ctx -> {
            Asset asset = assets.get(ctx.pathParam("asset"));
            if (asset == null) {
                throw ApiError.notFound("no dashboard file " + ctx.path() + "; files: " + String.join(", ", assets.keySet()));
            }
            send(ctx, asset);
        });
    }

    /** GET or HEAD of the page or one of its files: what a browser loads before it can ask for a token. */
    static boolean isPublic(String method, String path) {
        return (method.equals("GET") || method.equals("HEAD")) && (path.equals("/") || path.startsWith(ASSET_PREFIX));
    }

    private static void send(Context ctx, Asset asset) throws IOException {
        try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(asset.resource())) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + asset.resource());
            }
            ctx.status(200).contentType(asset.contentType()).header("Cache-Control", "no-cache")
                    .header("X-Content-Type-Options", "nosniff").result(in.readAllBytes());
        }
    }

    private static String uplotVersion() {
        try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException("the uPlot WebJar is missing from the classpath (" + UPLOT_POM + ")");
            }
            Properties pom = new Properties();
            pom.load(in);
            return pom.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
