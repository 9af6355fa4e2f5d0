package io.chaosproxy.junit;

import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.ErrorResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Where fault specs start: {@code import static io.chaosproxy.junit.Faults.*;} then
 * {@code proxy.inject(latency(Duration.ofMillis(300)).onPath("/orders/**").probability(0.5))},
 * {@code proxy.inject(error(503).header("Retry-After", "1").times(3))},
 * {@code proxy.inject(grpcError(14, "payments down").onPath("/pkg.Payments/**"))},
 * {@code proxy.inject(drop().midBody(1024))}.
 *
 * <p>Every spec matches every request, fires every time, forever, on the client's exchange until
 * narrowed with the methods of {@link FaultSpec}.
 */
public final class Faults {
    private Faults() {}

    /** The request waits {@code delay} (whole milliseconds) before it is forwarded. */
    public static LatencyFault latency(Duration delay) {
        return new LatencyFault(new FaultSpec.Common(), delay, Duration.ZERO);
    }

    /** The proxy answers {@code status} (400-599) itself, with an empty body, without calling the backend. */
    public static ErrorFault error(int status) {
        return new ErrorFault(new FaultSpec.Common(), status, "", Map.of());
    }

    /**
     * The proxy fails a gRPC call itself with status {@code grpcStatus} (0-16, e.g. 14 for
     * UNAVAILABLE) and {@code grpcMessage} (may be null), without calling the backend; narrow it to
     * a method with {@code onPath("/pkg.Service/Method")}.
     */
    public static ErrorFault grpcError(int grpcStatus, String grpcMessage) {
        return new ErrorFault(new FaultSpec.Common(), ErrorResponse.GRPC_HTTP_STATUS, "", Map.of(), grpcStatus, grpcMessage);
    }

    /** The proxy resets the client's connection before any response byte; see {@link DropFault} for the other ways. */
    public static DropFault drop() {
        return new DropFault(new FaultSpec.Common(), DropPoint.BEFORE_RESPONSE, 0, DropMode.RESET);
    }

    /** The response body flows at {@code bytesPerSecond}. */
    public static BandwidthFault bandwidth(long bytesPerSecond) {
        return new BandwidthFault(new FaultSpec.Common(), bytesPerSecond);
    }

    /** No response until the client gives up or the rule is removed. */
    public static HangFault hang() {
        return new HangFault(new FaultSpec.Common());
    }

    /**
     * The proxy's port refuses new connections while the rule lasts (clients see
     * {@link java.net.ConnectException}); open connections carry on. Any proxy, HTTP or TCP.
     */
    public static RefuseFault refuse() {
        return new RefuseFault(new FaultSpec.Common());
    }

    /** TCP proxies: the backend's bytes reach the client in pieces of about {@code sliceBytes} bytes. */
    public static SliceFault slice(long sliceBytes) {
        return new SliceFault(new FaultSpec.Common(), sliceBytes, 0);
    }
}
