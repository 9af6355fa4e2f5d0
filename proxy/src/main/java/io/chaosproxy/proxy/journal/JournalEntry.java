package io.chaosproxy.proxy.journal;

import java.time.Instant;
import java.util.List;

/**
 * What happened to one exchange, as a test or CI script asserts on it. {@code status} is what the
 * client received, null when the connection was dropped or the client gave up first.
 * {@code scenario} names the scenario and phase whose rules fired, when any did; {@code error}
 * says why an exchange did not end normally ("dropped: reset", "client gave up", ...).
 * {@code traceId} is the W3C trace-id the exchange carried upstream (null when not known).
 * {@code grpcStatus} is the gRPC status of a gRPC call (from the backend's trailers, or the one an
 * error fault answered), null for anything else or when no status reached the client.
 * {@code connection} is set only for a TCP proxy's connection (then method, path and status are null).
 */
public record JournalEntry(
        String requestId,
        String proxy,
        String method,
        String path,
        Integer status,
        List<String> faults,
        List<Attempt> attempts,
        long durationMs,
        Instant startedAt,
        String scenario,
        String error,
        String traceId,
        Integer grpcStatus,
        ConnectionRecord connection) {

    public JournalEntry {
        faults = List.copyOf(faults);
        attempts = List.copyOf(attempts);
    }

    /** An entry whose trace-id is not known (read back from an older proxy, say) and that was no gRPC call. */
    public JournalEntry(String requestId, String proxy, String method, String path, Integer status, List<String> faults,
                        List<Attempt> attempts, long durationMs, Instant startedAt, String scenario, String error) {
        this(requestId, proxy, method, path, status, faults, attempts, durationMs, startedAt, scenario, error, null, null, null);
    }

    /** An HTTP exchange's entry with its trace-id. */
    public JournalEntry(String requestId, String proxy, String method, String path, Integer status, List<String> faults,
                        List<Attempt> attempts, long durationMs, Instant startedAt, String scenario, String error, String traceId) {
        this(requestId, proxy, method, path, status, faults, attempts, durationMs, startedAt, scenario, error, traceId, null, null);
    }

    /** A TCP connection's entry. */
    public JournalEntry(String requestId, String proxy, List<String> faults, List<Attempt> attempts, long durationMs,
                        Instant startedAt, String scenario, String error, ConnectionRecord connection) {
        this(requestId, proxy, null, null, null, faults, attempts, durationMs, startedAt, scenario, error, null, null, connection);
    }

    /** True for a TCP connection's entry. */
    public boolean isConnection() {
        return connection != null;
    }
}
