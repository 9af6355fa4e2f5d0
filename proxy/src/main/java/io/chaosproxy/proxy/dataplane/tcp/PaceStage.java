package io.chaosproxy.proxy.dataplane.tcp;

import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * Bandwidth and slice: a chunk goes out in pieces with a pause after each. Bandwidth makes pieces of
 * about 50 ms worth of bytes and pauses as long as the piece takes at {@code bytesPerSecond};
 * slice makes pieces of {@code sliceBytes} and pauses {@code sliceDelayMs}. With both, the smaller
 * piece and the longer pause win. Each piece re-reads the rules, so a removed rule stops pacing at once.
 */
final class PaceStage implements Stage {
    /** Pieces of this many milliseconds at the bandwidth: smooth enough, and few timer tasks. */
    private static final long BANDWIDTH_PIECE_MS = 50;

    private final Flow direction;
    private final Stage next;

    PaceStage(Flow direction, Stage next) {
        this.direction = direction;
        this.next = next;
    }

    @Override
    public void pass(ByteBuffer chunk, Callback done) {
        if (!direction.faults().paced()) {
            next.pass(chunk, done);
            return;
        }
        new Pieces(chunk, done).iterate();
    }

    /** Writes one chunk piece by piece; iterating, so thousands of 1-byte pieces use no stack. */
    private final class Pieces extends IteratingCallback {
        private final ByteBuffer chunk;
        private final Callback done;

        Pieces(ByteBuffer chunk, Callback done) {
            this.chunk = chunk;
            this.done = done;
        }

        @Override
        protected Action process() {
            if (!chunk.hasRemaining()) {
                return Action.SUCCEEDED;
            }
            DirectionFaults faults = direction.faults();
            int size = chunk.remaining();
            long pauseNanos = 0;
            if (faults.bytesPerSecond() > 0) {
                size = (int) Math.min(size, Math.max(1, faults.bytesPerSecond() * BANDWIDTH_PIECE_MS / 1000));
            }
            if (faults.sliceBytes() > 0) {
                size = Math.min(size, faults.sliceBytes());
                pauseNanos = faults.sliceDelayMs() * 1_000_000L;
            }
            if (faults.bytesPerSecond() > 0) {
                pauseNanos = Math.max(pauseNanos, size * 1_000_000_000L / faults.bytesPerSecond());
            }
            ByteBuffer piece = Chunks.first(chunk, size);
            chunk.position(chunk.position() + size);
            long pause = pauseNanos;
            // a slice pauses between pieces; bandwidth after every piece, or chunks would run ahead of the rate
            boolean pauseAfter = pause > 0 && (chunk.hasRemaining() || faults.bytesPerSecond() > 0);
            next.pass(piece, Callback.from(() -> {
                if (pauseAfter) {
                    direction.later(this::succeeded, pause);
                } else {
                    succeeded();
                }
            }, this::failed));
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteSuccess() {
            done.succeeded();
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            done.failed(cause);
        }
    }
}
