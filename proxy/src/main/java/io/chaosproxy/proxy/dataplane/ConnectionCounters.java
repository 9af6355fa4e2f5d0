package io.chaosproxy.proxy.dataplane;

import java.util.concurrent.atomic.LongAdder;

/** A TCP proxy's live counters: connections open and accepted, bytes each way. Lock-free. */
public final class ConnectionCounters {
    private final LongAdder open = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();

    /** The counters at one instant, as {@code GET /status} shows them. */
    public record Snapshot(long open, long accepted, long bytesUp, long bytesDown) {}

    public void opened() {
        accepted.increment();
        open.increment();
    }

    public void closed() {
        open.decrement();
    }

    public void up(long bytes) {
        bytesUp.add(bytes);
    }

    public void down(long bytes) {
        bytesDown.add(bytes);
    }

    public Snapshot snapshot() {
        return new Snapshot(open.sum(), accepted.sum(), bytesUp.sum(), bytesDown.sum());
    }
}
