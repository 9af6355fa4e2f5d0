package io.chaosproxy.proxy.control;

import java.util.Map;

/**
 * A control call that cannot be answered as asked: carries the HTTP status, the field at fault
 * (a JSON path such as {@code "listen"} or {@code "upstreams[1]"}, or null) and any headers the
 * answer needs ({@code WWW-Authenticate}, {@code Allow}). Turned into
 * {@code {"error": ..., "field": ...}} in one place, {@link ControlApi}.
 */
final class ApiError extends RuntimeException {
    private final int status;
    private final String field;
    private final Map<String, String> headers;

    private ApiError(int status, String field, String message, Map<String, String> headers) {
        super(message, null, false, false); // an answer, not a bug: no stack trace to fill
        this.status = status;
        this.field = field;
        this.headers = Map.copyOf(headers);
    }

    static ApiError badRequest(String field, String message) {
        return new ApiError(400, field, message, Map.of());
    }

    static ApiError unauthorized(String message) {
        return new ApiError(401, null, message, Map.of("WWW-Authenticate", "Bearer realm=\"chaos-proxy\""));
    }

    static ApiError notFound(String message) {
        return new ApiError(404, null, message, Map.of());
    }

    static ApiError conflict(String field, String message) {
        return new ApiError(409, field, message, Map.of());
    }

    static ApiError tooLarge(String message) {
        // The rest of an oversized body is not read: the connection is not reusable after it.
        return new ApiError(413, null, message, Map.of("Connection", "close"));
    }

    static ApiError unsupportedMediaType(String message) {
        return new ApiError(415, null, message, Map.of());
    }

    int status() {
        return status;
    }

    String field() {
        return field;
    }

    Map<String, String> headers() {
        return headers;
    }
}
