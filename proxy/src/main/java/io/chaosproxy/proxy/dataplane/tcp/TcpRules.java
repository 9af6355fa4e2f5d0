package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.Bandwidth;
import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Match;
import io.chaosproxy.faults.Target;

/** How the fault model's rules read on a TCP connection: the one place that maps rule fields to pipe stages. */
final class TcpRules {
    private TcpRules() {}

    /**
     * Whether the rule acts on a TCP proxy's pipe: no {@code match}, a kind a byte pipe has, and
     * {@code target: client} ({@code target: upstream} rules act on the backend connect instead).
     */
    static boolean applies(FaultRule rule, String proxy) {
        if (rule.proxy() != null && !rule.proxy().equals(proxy)) {
            return false;
        }
        if (rule.target() != Target.CLIENT) {
            return false;
        }
        if (!Match.ANY.equals(rule.match())) {
            return false;
        }
        Fault fault = rule.fault();
        return fault instanceof Latency || fault instanceof Bandwidth || fault instanceof Drop || fault instanceof Hang;
    }

    /** A drop at connect acts on new connections only: decided when one opens, never later. */
    static boolean atConnect(FaultRule rule) {
        return rule.fault() instanceof Drop drop && drop.when() == DropPoint.BEFORE_RESPONSE;
    }

    /** Which directions the rule acts on: {upstream, downstream}. */
    static boolean[] directions(FaultRule rule) {
        return new boolean[] {false, true};
    }

    /** Adds what a fired rule does to one direction; {@code carried} is that direction's byte count when the rule first met the connection. */
    static void addTo(DirectionFaults.Builder builder, InstalledRule installed, long carried) {
        Fault fault = installed.rule().fault();
        if (fault instanceof Latency latency) {
            builder.latency(latency.delayMs(), latency.jitterMs());
        } else if (fault instanceof Bandwidth bandwidth) {
            builder.bandwidth(bandwidth.bytesPerSecond());
        } else if (fault instanceof Hang) {
            builder.stall(new DirectionFaults.Stall(installed, carried));
        } else if (fault instanceof Drop drop && !atConnect(installed.rule())) {
            builder.cut(new DirectionFaults.Cut(installed, carried + drop.afterBytes(), drop.mode() == DropMode.RESET));
        }
    }

    /** The cut a drop at connect makes. */
    static DirectionFaults.Cut connectCut(InstalledRule installed) {
        Drop drop = (Drop) installed.rule().fault();
        return new DirectionFaults.Cut(installed, 0, drop.mode() == DropMode.RESET);
    }
}
