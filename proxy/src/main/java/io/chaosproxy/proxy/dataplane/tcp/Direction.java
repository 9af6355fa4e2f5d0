package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.InstalledRule;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * One direction of a tunnel: bytes read from {@code source} go through the fault stages and are
 * written to {@code sink}. The pump reads the next chunk only once the previous one is written, so
 * a slow reader on the sink side slows the writer on the source side (TCP flow control end to end)
 * and memory stays at one buffer per busy direction, none per idle one.
 */
final class Direction {
    /** Bytes read at once: large enough for full-speed copies, small enough for thousands of connections. */
    static final int CHUNK_BYTES = 64 * 1024;

    private final TcpTunnel tunnel;
    private final boolean upstream;
    private final PipeEnd source;
    private final PipeEnd sink;
    private final Stage head;
    private final Pump pump = new Pump();
    private final SplittableRandom jitter;
    private volatile long forwarded;

    Direction(TcpTunnel tunnel, boolean upstream, PipeEnd source, PipeEnd sink, long seed) {
        this.tunnel = tunnel;
        this.upstream = upstream;
        this.source = source;
        this.sink = sink;
        this.jitter = new SplittableRandom(seed);
        // source > hang > cut > latency > pace (bandwidth, slice) > sink
        this.head = new HangStage(this, new CutStage(this, new LatencyStage(this, new PaceStage(this, this::write))));
    }

    /** Upstream is client to backend; downstream, backend to client. */
    boolean upstream() {
        return upstream;
    }

    /** Bytes written to the sink so far. */
    long forwarded() {
        return forwarded;
    }

    /** The faults acting on this direction now. */
    DirectionFaults faults() {
        return tunnel.faults().now(upstream);
    }

    /** Starts (or resumes) reading the source. */
    void readMore() {
        pump.iterate();
    }

    long jitter(long jitterMs) {
        synchronized (jitter) {
            return jitter.nextLong(-jitterMs, jitterMs + 1);
        }
    }

    void later(Runnable task, long nanos) {
        tunnel.later(task, nanos, TimeUnit.NANOSECONDS);
    }

    void park(InstalledRule rule, Runnable retry, Callback done) {
        tunnel.park(rule, retry, done);
    }

    void cut(DirectionFaults.Cut cut) {
        tunnel.cut(cut);
    }

    private void write(ByteBuffer chunk, Callback done) {
        int length = chunk.remaining();
        sink.getEndPoint().write(Callback.from(() -> {
            forwarded += length;
            tunnel.carried(upstream, length);
            done.succeeded();
        }, done::failed), chunk);
    }

    /** Reads a chunk, sends it down the stages, and reads the next once it is written. */
    private final class Pump extends IteratingCallback {
        private RetainableByteBuffer buffer;

        @Override
        protected Action process() throws Throwable {
            if (buffer == null) {
                buffer = tunnel.bufferPool().acquire(CHUNK_BYTES, true);
            }
            ByteBuffer bytes = buffer.getByteBuffer();
            BufferUtil.clear(bytes);
            int filled = source.getEndPoint().fill(bytes);
            if (filled > 0) {
                head.pass(bytes, this);
                return Action.SCHEDULED;
            }
            release();
            if (filled == 0) {
                source.fillInterested();
                return Action.IDLE;
            }
            tunnel.endOfStream(Direction.this, sink);
            return Action.SUCCEEDED;
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            release();
            tunnel.failed(Direction.this, cause);
        }

        private void release() {
            if (buffer != null) {
                buffer.release();
                buffer = null;
            }
        }
    }
}
