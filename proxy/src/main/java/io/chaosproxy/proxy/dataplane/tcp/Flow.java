package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.LatencyDistribution;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * One direction of a tunnel: bytes read from {@code source} go through the fault stages and are
 * written to {@code sink}. The pump reads the next chunk only once the previous one is written, so
 * a slow reader on the sink side slows the writer on the source side (TCP flow control end to end)
 * and memory stays at one buffer per busy direction, none per idle one.
 */
final class Flow {
    /** Bytes read at once: large enough for full-speed copies, small enough for thousands of connections. */
    static final int CHUNK_BYTES = 64 * 1024;

    private final TcpTunnel tunnel;
    private final boolean upstream;
    private final PipeEnd source;
    private final PipeEnd sink;
    private final Stage head;
    private final Pump pump = new Pump();
    private final SplittableRandom draws;
    private volatile long forwarded;

    Flow(TcpTunnel tunnel, boolean upstream, PipeEnd source, PipeEnd sink, long seed) {
        this.tunnel = tunnel;
        this.upstream = upstream;
        this.source = source;
        this.sink = sink;
        this.draws = new SplittableRandom(seed);
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

    /** One wait of a latency rule for one chunk, from this direction's own seeded sequence. */
    long draw(Latency latency) {
        synchronized (draws) {
            if (latency.distribution() == LatencyDistribution.LOGNORMAL) {
                return latency.lognormalDelayMs(latency.delayMs(), draws.nextGaussian());
            }
            long jitter = latency.jitterMs();
            return Math.max(0, latency.delayMs() + (jitter > 0 ? draws.nextLong(-jitter, jitter + 1) : 0));
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
        sink.getEndPoint().write(Callback.from(InvocationType.NON_BLOCKING, () -> {
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
            tunnel.endOfStream(Flow.this, sink);
            return Action.SUCCEEDED;
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            release();
            tunnel.failed(Flow.this, cause);
        }

        private void release() {
            if (buffer != null) {
                buffer.release();
                buffer = null;
            }
        }
    }
}
