package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.Bandwidth;
import io.chaosproxy.faults.Direction;
import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.LatencyPoint;
import io.chaosproxy.faults.Match;
import io.chaosproxy.faults.Slice;
import io.chaosproxy.faults.Target;

/** How the fault model's rules read on a TCP connection: the one place that maps rule fields to pipe stages. */
final class TcpRules {
    private TcpRules() {}

    /**
     * Whether the rule acts on a TCP proxy's pipe: no {@code match}, a kind a byte pipe has (not
     * error, not refuse: that one acts on the listener), and {@code target: client}
     * ({@code target: upstream} rules act on the backend connect instead).
     */
    static boolean applies(FaultRule rule, String proxy) {
        if (rule.proxy() != null && !rule.proxy().equals(proxy)) {
            return false;
        }
        if (rule.target() != Target.CLIENT || !Match.ANY.equals(rule.match())) {
            return false;
        }
        Fault fault = rule.fault();
        if (fault instanceof Latency latency) {
            return latency.when() != LatencyPoint.AFTER_BACKEND; // an HTTP-only point
        }
        if (fault instanceof Drop drop) {
            return drop.when() != DropPoint.AFTER_BACKEND && drop.when() != DropPoint.AFTER_HEADERS;
        }
        return fault instanceof Bandwidth || fault instanceof Hang || fault instanceof Slice;
    }

    /** A drop at connect (the default, before-response, means the same on TCP) acts on new connections only. */
    static boolean atConnect(FaultRule rule) {
        return rule.fault() instanceof Drop drop
                && (drop.when() == DropPoint.CONNECT || drop.when() == DropPoint.BEFORE_RESPONSE);
    }

    /** The directions the rule acts on. */
    static Direction direction(FaultRule rule) {
        Fault fault = rule.fault();
        if (fault instanceof Latency latency) {
            return latency.direction();
        }
        if (fault instanceof Bandwidth bandwidth) {
            return bandwidth.direction();
        }
        if (fault instanceof Hang hang) {
            return hang.direction();
        }
        if (fault instanceof Slice slice) {
            return slice.direction();
        }
        return ((Drop) fault).direction();
    }

    /** Adds what a fired rule does to one direction; {@code carried} is that direction's byte count when the rule first met the connection. */
    static void addTo(DirectionFaults.Builder builder, InstalledRule installed, long carried) {
        Fault fault = installed.rule().fault();
        if (fault instanceof Latency latency) {
            builder.latency(latency);
        } else if (fault instanceof Bandwidth bandwidth) {
            builder.bandwidth(bandwidth.bytesPerSecond());
        } else if (fault instanceof Slice slice) {
            builder.slice((int) slice.sliceBytes(), slice.sliceDelayMs());
        } else if (fault instanceof Hang hang) {
            builder.stall(new DirectionFaults.Stall(installed, carried + hang.afterBytes()));
        } else if (fault instanceof Drop drop) {
            builder.cut(new DirectionFaults.Cut(installed, carried + drop.afterBytes(), drop.mode() == DropMode.RESET));
        }
    }

    /** The cut a drop at connect makes. */
    static DirectionFaults.Cut connectCut(InstalledRule installed) {
        Drop drop = (Drop) installed.rule().fault();
        return new DirectionFaults.Cut(installed, 0, drop.mode() == DropMode.RESET);
    }
}
