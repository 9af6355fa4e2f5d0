package io.chaosproxy.junit;

import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.Slice;
import java.time.Duration;

/**
 * Slice (TCP proxies): what the backend writes reaches the client in pieces of about
 * {@code sliceBytes} bytes, with an optional pause between them, as a fragmenting network
 * delivers it: a test of the client's framing. {@code direction(Direction.UPSTREAM)} slices what
 * the client writes instead, {@code Direction.BOTH} both ways.
 */
public final class SliceFault extends DirectedFaultSpec<SliceFault> {
    private final long sliceBytes;
    private final long pauseMs;

    SliceFault(Common common, long sliceBytes, long pauseMs) {
        super(common);
        this.sliceBytes = sliceBytes;
        this.pauseMs = pauseMs;
    }

    /** A pause of {@code pause} (whole milliseconds) between pieces. */
    public SliceFault pause(Duration pause) {
        return new SliceFault(common(), sliceBytes, pause.toMillis());
    }

    @Override
    SliceFault with(Common common) {
        return new SliceFault(common, sliceBytes, pauseMs);
    }

    @Override
    Fault fault() {
        return new Slice(sliceBytes, pauseMs, direction());
    }
}
