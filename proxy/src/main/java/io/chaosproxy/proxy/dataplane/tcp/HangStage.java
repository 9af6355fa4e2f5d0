package io.chaosproxy.proxy.dataplane.tcp;

import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;

/**
 * Hang: once the direction has carried the stall's byte count, the chunk waits (the connection
 * stays open, nothing flows) until the rule goes; then it goes on where it stopped.
 */
final class HangStage implements Stage {
    private final Flow direction;
    private final Stage next;

    HangStage(Flow direction, Stage next) {
        this.direction = direction;
        this.next = next;
    }

    @Override
    public void pass(ByteBuffer chunk, Callback done) {
        DirectionFaults.Stall stall = direction.faults().stall();
        if (stall == null) {
            next.pass(chunk, done);
            return;
        }
        long room = stall.atByte() - direction.forwarded();
        if (room <= 0) {
            direction.park(stall.rule(), () -> pass(chunk, done), done);
        } else if (room >= chunk.remaining()) {
            next.pass(chunk, done);
        } else {
            ByteBuffer rest = Chunks.after(chunk, (int) room);
            next.pass(Chunks.first(chunk, (int) room), Callback.from(() -> pass(rest, done), done::failed));
        }
    }
}
