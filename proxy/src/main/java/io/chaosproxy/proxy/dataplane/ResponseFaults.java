package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.HangPoint;
import io.chaosproxy.faults.InstalledRule;
import java.util.List;

/**
 * What the faults that fired on both sides of an exchange (the client's and the attempt's) do to
 * the response on its way to the client: an HTTP body, or a WebSocket's messages from the backend.
 */
final class ResponseFaults {
    private ResponseFaults() {}

    /** The lowest rate any fired bandwidth rule allows, client or upstream side; 0 for none. */
    static long bandwidth(FaultDecision clientFaults, FaultDecision upstreamFaults) {
        long rate = Math.min(clientFaults.bytesPerSecond().orElse(Long.MAX_VALUE),
                upstreamFaults.bytesPerSecond().orElse(Long.MAX_VALUE));
        return rate == Long.MAX_VALUE ? 0 : rate;
    }

    /**
     * A drop after the headers, mid-body or after the backend answered, from either side; the
     * client's rule wins, being older in the path. An HTTP exchange cuts at after-backend before
     * its relay starts ({@link AfterBackend}); a WebSocket session, right after its handshake.
     */
    static Drop dropAfterHeaders(FaultDecision clientFaults, FaultDecision upstreamFaults) {
        for (FaultDecision decision : List.of(clientFaults, upstreamFaults)) {
            if (decision.terminalFault() instanceof Drop drop && drop.when() != DropPoint.BEFORE_RESPONSE) {
                return drop;
            }
        }
        return null;
    }

    /** The mid-body hang rule of either side (the client's first), whose removal lets the body go on; or null. */
    static InstalledRule midBodyHang(FaultDecision clientFaults, FaultDecision upstreamFaults) {
        for (FaultDecision decision : List.of(clientFaults, upstreamFaults)) {
            if (decision.terminalFault() instanceof Hang hang && hang.when() == HangPoint.MID_BODY) {
                return decision.terminal();
            }
        }
        return null;
    }
}
