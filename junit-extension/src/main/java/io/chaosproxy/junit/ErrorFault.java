package io.chaosproxy.junit;

import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.Fault;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Error: the proxy answers with this status, body and headers itself, without calling the backend;
 * or, made by {@link Faults#grpcError}, with a trailers-only gRPC status (HTTP 200,
 * {@code grpc-status}, {@code grpc-message}, the headers as metadata), which has no body.
 */
public final class ErrorFault extends FaultSpec<ErrorFault> {
    private final int status;
    private final String body;
    private final Map<String, String> headers;
    private final Integer grpcStatus;  // null for an HTTP error
    private final String grpcMessage;

    ErrorFault(Common common, int status, String body, Map<String, String> headers) {
        this(common, status, body, headers, null, null);
    }

    ErrorFault(Common common, int status, String body, Map<String, String> headers, Integer grpcStatus, String grpcMessage) {
        super(common);
        this.status = status;
        this.body = body;
        this.headers = headers;
        this.grpcStatus = grpcStatus;
        this.grpcMessage = grpcMessage;
    }

    /** The response body, sent as is (empty by default; a gRPC error has none). */
    public ErrorFault body(String body) {
        return new ErrorFault(common(), status, body, headers, grpcStatus, grpcMessage);
    }

    /** A response header, e.g. {@code header("Retry-After", "1")}; calls add up. */
    public ErrorFault header(String name, String value) {
        Map<String, String> next = new LinkedHashMap<>(headers);
        next.put(name, value);
        return new ErrorFault(common(), status, body, next, grpcStatus, grpcMessage);
    }

    @Override
    ErrorFault with(Common common) {
        return new ErrorFault(common, status, body, headers, grpcStatus, grpcMessage);
    }

    @Override
    Fault fault() {
        return new ErrorResponse(status, body, headers, grpcStatus, grpcMessage);
    }
}
