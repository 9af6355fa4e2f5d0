package io.chaosproxy.faults;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Error: answer with HTTP {@code status} (400-599), {@code body} (text, default empty) and
 * {@code headers} (default none) without calling the backend.
 *
 * <p>{@code Content-Length} and {@code Transfer-Encoding} cannot be set: the proxy frames the body
 * itself, and a wrong length would break the client's connection instead of failing politely.
 *
 * <p>With {@code grpcStatus} (0-16) the answer is a trailers-only gRPC one instead: HTTP 200,
 * {@code content-type: application/grpc}, {@code grpc-status} and the optional {@code grpcMessage};
 * {@code status} is then 200 and {@code body} empty, as gRPC has no place for either.
 */
public record ErrorResponse(int status, String body, Map<String, String> headers, Integer grpcStatus,
                            String grpcMessage) implements Fault {

    /** Used when an error rule gives no {@code status}. */
    public static final int DEFAULT_STATUS = 503;

    /** The HTTP status of every gRPC answer, errors included. */
    public static final int GRPC_HTTP_STATUS = 200;

    public ErrorResponse {
        body = body == null ? "" : body;
        if (grpcStatus != null) {
            checkGrpc(status, body, grpcStatus);
        } else {
            checkStatus(status);
            if (grpcMessage != null) {
                throw grpcMessageNeedsStatus();
            }
        }
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        Check.headers("headers", headers);
        for (String name : headers.keySet()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-length") || lower.equals("transfer-encoding")) {
                throw new FaultSpecException("headers." + name,
                        "headers." + name + " cannot be set; the proxy frames the body itself");
            }
        }
    }

    /** An HTTP error answer. */
    public ErrorResponse(int status, String body, Map<String, String> headers) {
        this(status, body, headers, null, null);
    }

    /** A status with an empty body and no headers. */
    public ErrorResponse(int status) {
        this(status, "", Map.of());
    }

    /** A trailers-only gRPC answer with this status code (0-16) and message (may be null). */
    public static ErrorResponse grpc(int grpcStatus, String grpcMessage) {
        return new ErrorResponse(GRPC_HTTP_STATUS, "", Map.of(), grpcStatus, grpcMessage);
    }

    /** Whether the answer is a gRPC status rather than an HTTP error. */
    public boolean isGrpc() {
        return grpcStatus != null;
    }

    private static void checkGrpc(int status, String body, long grpcStatus) {
        checkGrpcStatus(grpcStatus);
        if (status != GRPC_HTTP_STATUS) {
            throw statusWithGrpc();
        }
        if (!body.isEmpty()) {
            throw bodyWithGrpc();
        }
    }

    /** Shared with the parser, which checks before narrowing to int. */
    static void checkGrpcStatus(long grpcStatus) {
        if (grpcStatus < 0 || grpcStatus > Limits.MAX_GRPC_STATUS) {
            throw new FaultSpecException("grpcStatus", "grpcStatus must be 0-16 (a gRPC status code)");
        }
    }

    static FaultSpecException statusWithGrpc() {
        return new FaultSpecException("status",
                "status does not apply with grpcStatus (a gRPC answer is HTTP 200; grpcStatus takes its place)");
    }

    static FaultSpecException bodyWithGrpc() {
        return new FaultSpecException("body",
                "body does not apply with grpcStatus (a trailers-only gRPC answer has no body; use grpcMessage)");
    }

    static FaultSpecException grpcMessageNeedsStatus() {
        return new FaultSpecException("grpcMessage", "grpcMessage only applies with grpcStatus");
    }

    /** Shared with the parser so an out-of-range status is worded the same from every route. */
    static void checkStatus(long status) {
        if (status < 400 || status > 599) {
            throw new FaultSpecException("status", "status must be 400-599");
        }
    }

    @Override
    public FaultType type() {
        return FaultType.ERROR;
    }
}
