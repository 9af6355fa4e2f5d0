package io.chaosproxy.proxy.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import okio.Buffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * An HTTP/1.1 request body read asynchronously into a bounded buffer, from which the upstream call
 * takes it ({@link #stream()}), unaltered. Two reasons to read this way rather than straight from
 * Jetty on the upstream call's thread:
 * <ul>
 *   <li>While a rule holds the exchange (a hang, a latency) the body is read ahead, so that a
 *       client leaving is seen at once: Jetty reads an HTTP/1.1 connection only while somebody
 *       asks for the body, and without reading nobody learns of the client's FIN or RST. Jetty
 *       hands that failure to the reader (here), which tells the exchange; a body read to its end
 *       hands over to {@link ClientWatch} (see {@link Exchange#watchAfterBody()}).</li>
 *   <li>An upload's pace is visible: a thread waits for the client only while the buffer is empty,
 *       an upload slower than the minimum rate is cut ({@link SlowUpload}, answered 408), and on
 *       platform threads an upload that must wait needs one of a bounded number of permits
 *       ({@link #mayUpload}); one whose body is all here needs none.</li>
 * </ul>
 *
 * <p>Memory is bounded twice: at most {@link #LIMIT} per exchange and {@link Budget#BYTES} for all
 * the bodies of a process waiting for holds to end (each may go one read buffer beyond). Past
 * either bound nothing more is read and TCP flow control stops the client; a held client leaving
 * is then noticed when the body is read again, after the hold.
 *
 * <p>Jetty's demand callback only copies bytes and signals, so it runs on whichever thread has
 * them (the selector, say); the upstream call's thread waits on {@link #stream()} for more.
 */
final class BodyReadAhead {
    /** Of one held body, at most this much is read ahead. */
    static final int LIMIT = 256 * 1024;
    /** The minimum upload rate is measured over windows this long of waiting for the client. */
    static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What the held bodies of one process may hold together. */
    static final class Budget {
        /** 64 MiB, or a quarter of the heap when that is less: held bodies must leave room for the journal and the work. */
        static final long BYTES = Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 4);
        private final AtomicLong held = new AtomicLong();

        boolean hasRoom() {
            return held.get() < BYTES;
        }

        private void take(long bytes) {
            held.addAndGet(bytes);
        }

        private void give(long bytes) {
            held.addAndGet(-bytes);
        }
    }

    private final Request request;
    private final Budget budget;
    private final Runnable bodyEnded;
    private final Consumer<Throwable> bodyFailed;
    private final Runnable pump = Invocable.from(Invocable.InvocationType.NON_BLOCKING, this::pump);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Buffer buffered = new Buffer(); // guarded by lock
    private boolean demanding;                   // guarded by lock: a demand is with Jetty
    private boolean pumping;                     // guarded by lock: a thread is reading from Jetty
    private boolean ended;                       // guarded by lock: the body's last byte is in
    private Throwable failure;                   // guarded by lock
    private boolean discarded;                   // guarded by lock: the exchange is over
    private boolean reading;                     // guarded by lock: the hold is over, the upstream call reads
    private Semaphore slot;                      // guarded by lock: the upload thread permit held, if any
    private long minRate;                        // guarded by lock: bytes per second, 0 for none
    private long windowStartNanos;               // guarded by lock: of the rate window, 0 before the first wait
    private long windowBytes;                    // guarded by lock: read by the upstream call in this window

    /**
     * {@code bodyEnded} runs once, when the whole body has been read; {@code bodyFailed} when
     * reading it failed (the client left, or broke its framing). Neither under any lock, and
     * perhaps on Jetty's selector: they must not block.
     */
    BodyReadAhead(Request request, Budget budget, Runnable bodyEnded, Consumer<Throwable> bodyFailed) {
        this.request = request;
        this.budget = budget;
        this.bodyEnded = bodyEnded;
        this.bodyFailed = bodyFailed;
    }

    /** Starts reading the body ahead; Jetty may call back on this thread before it returns. */
    void start() {
        demandMore();
    }

    /**
     * An upload may hold a platform thread while it waits for its client: true when it may go on,
     * because its body is all here already or it got one of {@code threads}' permits (given back
     * when the body ends, fails or is let go of); false when every permit is taken.
     */
    boolean mayUpload(Semaphore threads) {
        lock.lock();
        try {
            if (ended || slot != null) {
                return true;
            }
            if (!threads.tryAcquire()) {
                return false;
            }
            slot = threads;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** While the upstream call waits for the client, at least {@code bytesPerSecond} must come (0: no minimum). */
    void minimumRate(long bytesPerSecond) {
        lock.lock();
        try {
            minRate = bytesPerSecond;
        } finally {
            lock.unlock();
        }
    }

    /** Guarded by lock: the upload no longer waits on a thread. */
    private void releaseSlot() {
        if (slot != null) {
            slot.release();
            slot = null;
        }
    }

    /** The body: what was read ahead, then the rest as it comes. Read by one thread. */
    InputStream stream() {
        return new Stream();
    }

    /**
     * The exchange is over: let go of the bytes (and the budget), and fail a waiting reader.
     * Returns true when a demand is still with Jetty: the body was not read to its end, and Jetty
     * refuses to complete an exchange successfully while a demand is pending.
     */
    boolean discard() {
        lock.lock();
        try {
            discarded = true;
            budget.give(buffered.size());
            buffered.clear();
            releaseSlot();
            changed.signalAll();
            return demanding;
        } finally {
            lock.unlock();
        }
    }

    /** Jetty has bytes (or the end, or a failure): take them while there is room. */
    private void pump() {
        lock.lock();
        try {
            demanding = false;
            pumping = true;
        } finally {
            lock.unlock();
        }
        while (true) {
            Content.Chunk chunk;
            try {
                chunk = request.read();
            } catch (IllegalStateException e) {
                chunk = Content.Chunk.from(e); // the exchange completed and Jetty recycled the request meanwhile
            }
            boolean last = false;
            boolean goOn = false;
            boolean over;
            lock.lock();
            try {
                if (chunk == null) {
                    // nothing yet: Jetty calls back when there is
                } else if (Content.Chunk.isFailure(chunk)) {
                    // the client left mid-body (Jetty tells the exchange that too) or broke its framing
                    failure = chunk.getFailure();
                    releaseSlot();
                } else {
                    last = chunk.isLast();
                    if (!discarded && chunk.hasRemaining()) {
                        byte[] bytes = new byte[chunk.remaining()];
                        chunk.getByteBuffer().get(bytes);
                        buffered.write(bytes);
                        budget.take(bytes.length);
                    }
                    chunk.release();
                    ended = last;
                    if (last) {
                        releaseSlot();
                    }
                    goOn = !last && !discarded && hasRoom();
                }
                pumping = goOn;
                over = discarded;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (chunk == null) {
                demandMore();
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                if (!over) {
                    // Jetty hands the failure to the reader only: its failure listener hears of it later
                    bodyFailed.accept(chunk.getFailure());
                }
                return;
            }
            if (last) {
                bodyEnded.run();
                return;
            }
            if (!goOn) {
                return; // full, failed or discarded: a reader asks for more once it has taken some
            }
        }
    }

    /**
     * Guarded by lock. The process-wide budget bounds what waits for holds to end; once the upstream
     * call reads, the bytes pass through and only the per-exchange bound applies.
     */
    private boolean hasRoom() {
        return buffered.size() < LIMIT && (reading || budget.hasRoom());
    }

    private void demandMore() {
        lock.lock();
        try {
            if (demanding || pumping || ended || failure != null || discarded || !hasRoom()) {
                return;
            }
            demanding = true;
        } finally {
            lock.unlock();
        }
        try {
            request.demand(pump);
        } catch (IllegalStateException e) {
            // the exchange completed meanwhile: nothing more to read
            lock.lock();
            try {
                demanding = false;
                discarded = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Guarded by lock: waits for the client's next bytes, and cuts an upload slower than the
     * minimum rate: a slow-loris upload must not hold a thread (and a backend's connection) forever.
     */
    private void awaitClient() throws IOException {
        if (minRate == 0) {
            changed.awaitUninterruptibly();
            return;
        }
        long now = System.nanoTime();
        if (windowStartNanos == 0) {
            windowStartNanos = now;
            windowBytes = 0;
        }
        long left = windowStartNanos + RATE_WINDOW_NANOS - now;
        if (left > 0) {
            try {
                changed.awaitNanos(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the client's upload");
            }
            return;
        }
        long rate = windowBytes * 1_000_000_000L / Math.max(1, now - windowStartNanos);
        if (rate < minRate) {
            SlowUpload slow = new SlowUpload(windowBytes, now - windowStartNanos, minRate);
            failure = slow;
            releaseSlot();
            throw slow;
        }
        windowStartNanos = now;
        windowBytes = 0;
    }

    /** An upload slower than the minimum rate, answered 408 (RFC 9110 section 15.5.9). */
    static final class SlowUpload extends IOException {
        SlowUpload(long bytes, long nanos, long minRate) {
            super("the upload brought " + bytes + " bytes in " + TimeUnit.NANOSECONDS.toSeconds(nanos)
                    + " s, under the minimum of " + minRate + " bytes per second");
        }
    }

    /** The body as the upstream call reads it: blocking, like Jetty's own stream. */
    private final class Stream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (true) {
                int n = -1;
                lock.lock();
                try {
                    reading = true;
                    if (buffered.size() > 0) {
                        n = buffered.read(bytes, offset, length);
                        budget.give(n);
                        windowBytes += n;
                    } else if (discarded) {
                        throw new IOException("the exchange is over");
                    } else if (failure != null) {
                        throw failure instanceof IOException io ? io : new IOException(failure);
                    } else if (ended) {
                        return -1;
                    } else if (demanding || pumping) {
                        awaitClient();
                        continue;
                    }
                } finally {
                    lock.unlock();
                }
                demandMore(); // there is room again, or nothing left: the client may go on
                if (n >= 0) {
                    return n;
                }
            }
        }
    }
}
