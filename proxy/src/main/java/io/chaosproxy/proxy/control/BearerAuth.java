package io.chaosproxy.proxy.control;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.Locale;

/**
 * Checks {@code Authorization: Bearer <token>} on every call but {@code GET /health}, which load
 * balancers and readiness probes call without credentials. Both sides are hashed before the
 * constant-time comparison, so neither the content nor the length of the token leaks through timing.
 */
final class BearerAuth implements Handler {
    private static final String PREFIX = "bearer ";

    private final byte[] expectedDigest;

    BearerAuth(String token) {
        this.expectedDigest = sha256(token);
    }

    @Override
    public void handle(Context ctx) {
        if (isHealthCheck(ctx) || DashboardRoutes.isPublic(ctx.req().getMethod(), ctx.path())) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw ApiError.unauthorized("this control API needs a token: send Authorization: Bearer <token>");
        }
        if (Collections.list(ctx.req().getHeaders("Authorization")).size() > 1) {
            // which one counts would be a guess, and a proxy in front may have guessed the other way
            throw ApiError.unauthorized("send exactly one Authorization header");
        }
        if (header.length() <= PREFIX.length() || !header.substring(0, PREFIX.length()).toLowerCase(Locale.ROOT).equals(PREFIX)) {
            throw ApiError.unauthorized("the Authorization header must be Bearer <token>");
        }
        String presented = header.substring(PREFIX.length()).trim();
        if (!MessageDigest.isEqual(expectedDigest, sha256(presented))) {
            throw ApiError.unauthorized("wrong token");
        }
    }

    private static boolean isHealthCheck(Context ctx) {
        String method = ctx.req().getMethod();
        String path = ctx.path();
        return (method.equals("GET") || method.equals("HEAD")) && (path.equals("/health") || path.equals("/health/"));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
