package io.chaosproxy.junit;

import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.Fault;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A gRPC error: the proxy answers the call itself, trailers-only (HTTP 200,
 * {@code content-type: application/grpc}, {@code grpc-status}, {@code grpc-message}), without
 * calling the backend; the client sees a {@code StatusRuntimeException} with that code.
 */
public final class GrpcErrorFault extends FaultSpec<GrpcErrorFault> {
    private final int grpcStatus;
    private final String grpcMessage;
    private final Map<String, String> headers;

    GrpcErrorFault(Common common, int grpcStatus, String grpcMessage, Map<String, String> headers) {
        super(common);
        this.grpcStatus = grpcStatus;
        this.grpcMessage = grpcMessage;
        this.headers = headers;
    }

    /** Extra metadata on the answer, e.g. {@code header("retry-pushback-ms", "100")}; calls add up. */
    public GrpcErrorFault header(String name, String value) {
        Map<String, String> next = new LinkedHashMap<>(headers);
        next.put(name, value);
        return new GrpcErrorFault(common(), grpcStatus, grpcMessage, next);
    }

    @Override
    GrpcErrorFault with(Common common) {
        return new GrpcErrorFault(common, grpcStatus, grpcMessage, headers);
    }

    @Override
    Fault fault() {
        return new ErrorResponse(ErrorResponse.GRPC_HTTP_STATUS, "", headers, grpcStatus, grpcMessage);
    }
}
