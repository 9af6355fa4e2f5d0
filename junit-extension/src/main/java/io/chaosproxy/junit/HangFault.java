package io.chaosproxy.junit;

import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.HangPoint;

/**
 * Hang: no response at all until the client gives up or the rule is removed; or, with
 * {@link #midBody(long)}, the status, the headers and some of the body, then nothing.
 */
public final class HangFault extends DirectedFaultSpec<HangFault> {
    private final HangPoint when;
    private final long afterBytes;

    HangFault(Common common) {
        this(common, HangPoint.BEFORE_RESPONSE, 0);
    }

    private HangFault(Common common, HangPoint when, long afterBytes) {
        super(common);
        this.when = when;
        this.afterBytes = afterBytes;
    }

    /**
     * The response stalls after {@code bytes} bytes of its body, on an open connection: the client
     * has a status and part of the body, and only its read timeout ends the wait (the rest flows if
     * the rule is removed first).
     */
    public HangFault midBody(long bytes) {
        return new HangFault(common(), HangPoint.MID_BODY, bytes);
    }

    @Override
    HangFault with(Common common) {
        return new HangFault(common, when, afterBytes);
    }

    @Override
    Fault fault() {
        return new Hang(when, afterBytes, direction());
    }
}
