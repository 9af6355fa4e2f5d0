package io.chaosproxy.proxy.dataplane.tcp;

import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;

/**
 * Latency: each chunk waits {@code delayMs} plus or minus the jitter (drawn per chunk) before it
 * goes on; the wait is scheduled, no thread is held. One chunk at a time keeps the order.
 */
final class LatencyStage implements Stage {
    private final Direction direction;
    private final Stage next;

    LatencyStage(Direction direction, Stage next) {
        this.direction = direction;
        this.next = next;
    }

    @Override
    public void pass(ByteBuffer chunk, Callback done) {
        DirectionFaults faults = direction.faults();
        long delayMs = faults.delayMs();
        if (faults.jitterMs() > 0) {
            delayMs = Math.max(0, delayMs + direction.jitter(faults.jitterMs()));
        }
        if (delayMs <= 0) {
            next.pass(chunk, done);
        } else {
            direction.later(() -> next.pass(chunk, done), delayMs * 1_000_000L);
        }
    }
}
