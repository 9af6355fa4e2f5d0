package io.chaosproxy.faults;

import java.util.List;
import java.util.OptionalLong;

/**
 * What the faults that fired on one request add up to: a total delay, the slowest bandwidth, and at
 * most one terminal fault (error, drop or hang) that answers the request instead of the backend.
 *
 * @param fired          the rules that fired, in installation order
 * @param delayMs        the sum of every fired latency, jitter included, never negative
 * @param bytesPerSecond the lowest rate among fired bandwidth rules, if any fired
 * @param terminal       the oldest fired error/drop/hang rule, or {@code null}
 * @param afterBackendDelayMs the sum of every fired after-backend latency: how long the backend's
 *                       answer waits at the proxy before it goes on to the client
 */
public record FaultDecision(List<InstalledRule> fired, long delayMs, OptionalLong bytesPerSecond,
                            InstalledRule terminal, long afterBackendDelayMs) {

    /** Nothing fired: forward the request as it is. */
    public static final FaultDecision NONE = new FaultDecision(List.of(), 0, OptionalLong.empty(), null);

    public FaultDecision {
        fired = List.copyOf(fired);
        bytesPerSecond = bytesPerSecond == null ? OptionalLong.empty() : bytesPerSecond;
    }

    /** A decision with no after-backend latency. */
    public FaultDecision(List<InstalledRule> fired, long delayMs, OptionalLong bytesPerSecond,
                         InstalledRule terminal) {
        this(fired, delayMs, bytesPerSecond, terminal, 0);
    }

    /** Whether no rule fired. */
    public boolean isEmpty() {
        return fired.isEmpty();
    }

    /** The {@link ErrorResponse}, {@link Drop} or {@link Hang} of {@link #terminal()}, or {@code null}. */
    public Fault terminalFault() {
        return terminal == null ? null : terminal.rule().fault();
    }

    /** The ids of the rules that fired, in order: what the request journal records. */
    public List<String> firedIds() {
        return fired.stream().map(InstalledRule::id).toList();
    }
}
