package io.chaosproxy.proxy.dataplane.tcp;

import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;

/**
 * Drop after bytes: the direction carries exactly the cut's byte count, then the whole connection
 * is cut (RST or FIN, both sides).
 */
final class CutStage implements Stage {
    private final Flow direction;
    private final Stage next;

    CutStage(Flow direction, Stage next) {
        this.direction = direction;
        this.next = next;
    }

    @Override
    public void pass(ByteBuffer chunk, Callback done) {
        DirectionFaults.Cut cut = direction.faults().cut();
        if (cut == null) {
            next.pass(chunk, done);
            return;
        }
        long room = cut.atByte() - direction.forwarded();
        if (room <= 0) {
            direction.cut(cut);
            done.failed(new FaultCutException(cut.rule()));
        } else if (room >= chunk.remaining()) {
            next.pass(chunk, done);
        } else {
            ByteBuffer first = Chunks.first(chunk, (int) room);
            next.pass(first, Callback.from(() -> pass(Chunks.after(chunk, (int) room), done), done::failed));
        }
    }
}
