package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import java.util.ArrayList;
import java.util.List;

/**
 * What the rules acting on one connection do to one direction of it, at this moment.
 *
 * @param latencies      the latency rules acting; each chunk waits the sum of one draw of each
 * @param bytesPerSecond the lowest bandwidth, 0 when none
 * @param sliceBytes     pieces writes are cut into, 0 when no slice rule acts
 * @param sliceDelayMs   pause between pieces
 * @param stall          the oldest hang, or null
 * @param cut            the oldest after-bytes drop, or null
 */
record DirectionFaults(List<Latency> latencies, long bytesPerSecond, int sliceBytes, long sliceDelayMs,
                       Stall stall, Cut cut) {

    static final DirectionFaults NONE = new DirectionFaults(List.of(), 0, 0, 0, null, null);

    /** Bytes stop flowing once the direction has carried {@code atByte} bytes, while {@code rule} lasts. */
    record Stall(InstalledRule rule, long atByte) {}

    /** The connection is cut once the direction has carried {@code atByte} bytes: RST when {@code reset}, else FIN. */
    record Cut(InstalledRule rule, long atByte, boolean reset) {}

    boolean paced() {
        return bytesPerSecond > 0 || sliceBytes > 0;
    }

    /** Adds up the rules acting on a direction: latencies sum, the lowest bandwidth wins, the oldest slice, hang and cut win. */
    static final class Builder {
        private final List<Latency> latencies = new ArrayList<>(1);
        private long bytesPerSecond;
        private int sliceBytes;
        private long sliceDelayMs;
        private Stall stall;
        private Cut cut;

        void latency(Latency latency) {
            latencies.add(latency);
        }

        void bandwidth(long rate) {
            bytesPerSecond = bytesPerSecond == 0 ? rate : Math.min(bytesPerSecond, rate);
        }

        void slice(int bytes, long pauseMs) {
            if (sliceBytes == 0) {
                sliceBytes = bytes;
                sliceDelayMs = pauseMs;
            }
        }

        void stall(Stall oldest) {
            if (stall == null) {
                stall = oldest;
            }
        }

        void cut(Cut oldest) {
            if (cut == null) {
                cut = oldest;
            }
        }

        DirectionFaults build() {
            if (latencies.isEmpty() && bytesPerSecond == 0 && sliceBytes == 0 && stall == null && cut == null) {
                return NONE;
            }
            return new DirectionFaults(List.copyOf(latencies), bytesPerSecond, sliceBytes, sliceDelayMs, stall, cut);
        }
    }
}
