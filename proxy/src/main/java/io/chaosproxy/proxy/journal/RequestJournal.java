package io.chaosproxy.proxy.journal;

import io.chaosproxy.faults.PathGlob;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent exchanges, oldest first, in a fixed-size ring: it never grows past its capacity,
 * however long the proxy runs. Appends are one short critical section.
 */
public final class RequestJournal {
    public static final int DEFAULT_CAPACITY = 10_000;

    private final JournalEntry[] ring;
    private long written; // entries recorded since the last clear
    private int waiters;  // threads in await(): only they need waking, not every record
    private java.time.Instant clearedAt = java.time.Instant.MIN;

    public RequestJournal(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("journal capacity must be >= 1, got " + capacity);
        }
        this.ring = new JournalEntry[capacity];
    }

    public synchronized void record(JournalEntry entry) {
        // a TCP connection belongs to whoever sees it end: a pool's connection outlives many tests
        if (entry.startedAt().isBefore(clearedAt) && !entry.isConnection()) {
            // began before the last clear (a test's straggler): it belongs to no one's journal now
            return;
        }
        ring[(int) (written % ring.length)] = entry;
        written++;
        if (waiters > 0) {
            notifyAll();
        }
    }

    /** Empties the journal; exchanges still in flight that began before now will not be recorded. */
    public synchronized void clear() {
        clearedAt = java.time.Instant.now();
        written = 0;
        java.util.Arrays.fill(ring, null);
    }

    /** Entries recorded since the last clear, including any the ring no longer holds. */
    public synchronized long size() {
        return written;
    }

    public int capacity() {
        return ring.length;
    }

    public List<JournalEntry> entries() {
        return query(JournalQuery.ALL);
    }

    public List<JournalEntry> query(JournalQuery query) {
        PathGlob glob = query.path() == null ? null : PathGlob.compile(query.path());
        List<JournalEntry> held = snapshot();
        List<JournalEntry> matching = new ArrayList<>();
        for (JournalEntry entry : held) {
            if (matches(entry, query, glob)) {
                matching.add(entry);
            }
        }
        if (query.limit() != null && matching.size() > query.limit()) {
            return List.copyOf(matching.subList(matching.size() - query.limit(), matching.size()));
        }
        return matching;
    }

    /**
     * Waits until at least {@code count} recorded entries match, or the timeout passes; returns the
     * matching entries either way. For tests of asynchronous services: no sleep-and-hope.
     */
    public List<JournalEntry> await(JournalQuery query, int count, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<JournalEntry> found = query(query.withLimit(null));
            long left = deadline - System.nanoTime();
            if (found.size() >= count || left <= 0) {
                return found;
            }
            synchronized (this) {
                // record() notifies; the short cap covers an entry recorded between query and wait
                waiters++;
                try {
                    wait(Math.max(1, Math.min(left / 1_000_000, 50)));
                } finally {
                    waiters--;
                }
            }
        }
    }

    private synchronized List<JournalEntry> snapshot() {
        int held = (int) Math.min(written, ring.length);
        List<JournalEntry> out = new ArrayList<>(held);
        long first = written - held;
        for (long i = first; i < written; i++) {
            out.add(ring[(int) (i % ring.length)]);
        }
        return out;
    }

    private static boolean matches(JournalEntry entry, JournalQuery query, PathGlob glob) {
        if (query.proxy() != null && !query.proxy().equals(entry.proxy())) {
            return false;
        }
        if (query.method() != null && !query.method().equalsIgnoreCase(entry.method())) {
            return false;
        }
        if (glob != null && (entry.path() == null || !glob.matches(entry.path()))) {
            return false;
        }
        if (query.status() != null && !query.status().equals(entry.status())) {
            return false;
        }
        return query.fault() == null || entry.faults().contains(query.fault());
    }
}
