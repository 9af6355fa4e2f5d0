package io.chaosproxy.junit;

import io.chaosproxy.faults.Direction;
import java.util.Objects;

/**
 * The kinds that act on one way of a TCP connection (latency, bandwidth, drop, hang, slice): what
 * they share is {@link #direction(Direction)}. HTTP exchanges ignore the direction.
 */
abstract sealed class DirectedFaultSpec<S extends DirectedFaultSpec<S>> extends FaultSpec<S>
        permits LatencyFault, DropFault, BandwidthFault, HangFault, SliceFault {

    DirectedFaultSpec(Common common) {
        super(common);
    }

    /**
     * TCP proxies: which way the fault acts: {@link Direction#DOWNSTREAM} (backend to client, the
     * default), {@link Direction#UPSTREAM} (client to backend) or {@link Direction#BOTH}.
     */
    public final S direction(Direction way) {
        Objects.requireNonNull(way, "direction");
        return changed(next -> next.direction = way);
    }

    /** The direction asked for, or downstream. */
    final Direction direction() {
        Direction way = common().direction;
        return way == null ? Direction.DOWNSTREAM : way;
    }
}
