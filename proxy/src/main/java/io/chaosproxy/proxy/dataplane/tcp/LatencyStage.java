package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.Latency;
import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;

/**
 * Latency: each chunk waits {@code delayMs} plus or minus the jitter, or a lognormal draw around
 * {@code delayMs} (drawn per chunk), before it goes on; several latency rules add up. The wait is
 * scheduled, no thread is held. One chunk at a time keeps the order.
 */
final class LatencyStage implements Stage {
    private final Flow direction;
    private final Stage next;

    LatencyStage(Flow direction, Stage next) {
        this.direction = direction;
        this.next = next;
    }

    @Override
    public void pass(ByteBuffer chunk, Callback done) {
        long delayMs = 0;
        for (Latency latency : direction.faults().latencies()) {
            delayMs += direction.draw(latency);
        }
        if (delayMs <= 0) {
            next.pass(chunk, done);
        } else {
            direction.later(() -> next.pass(chunk, done), delayMs * 1_000_000L);
        }
    }
}
