package io.chaosproxy.junit;

import io.chaosproxy.faults.Bandwidth;
import io.chaosproxy.faults.Fault;

/** Bandwidth: the response body flows at this many bytes per second. */
public final class BandwidthFault extends DirectedFaultSpec<BandwidthFault> {
    private final long bytesPerSecond;

    BandwidthFault(Common common, long bytesPerSecond) {
        super(common);
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    BandwidthFault with(Common common) {
        return new BandwidthFault(common, bytesPerSecond);
    }

    @Override
    Fault fault() {
        return new Bandwidth(bytesPerSecond, direction());
    }
}
