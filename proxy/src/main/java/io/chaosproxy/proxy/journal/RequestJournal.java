package io.chaosproxy.proxy.journal;

import io.chaosproxy.faults.PathGlob;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The most recent exchanges, oldest first, in a fixed-size ring: it never grows past its capacity,
 * however long the proxy runs. Appends are one short critical section (an entry's ids are parsed
 * in it); reads hold up no append but for one slot's copy when a write overlaps it. Each position
 * of the ring is a {@link JournalSlot}, written over in place, so that a common exchange leaves the
 * garbage collector nothing to carry (see there).
 */
public final class RequestJournal {
    public static final int DEFAULT_CAPACITY = 10_000;

    private final AtomicReferenceArray<JournalSlot> ring; // a slot is made when its position is first used
    private final KnownPaths paths = new KnownPaths(); // guarded by this
    private volatile long written;   // entries recorded since the journal was made: each one's sequence number
    private volatile long firstKept; // the sequence number of the first entry after the last clear
    private int waiters;  // threads in await(): only they need waking, not every record
    private java.time.Instant clearedAt = java.time.Instant.MIN;

    public RequestJournal(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("journal capacity must be >= 1, got " + capacity);
        }
        this.ring = new AtomicReferenceArray<>(capacity);
    }

    public void record(JournalEntry entry) {
        synchronized (this) {
            // a TCP connection belongs to whoever sees it end: a pool's connection outlives many tests
            if (entry.startedAt().isBefore(clearedAt) && !entry.isConnection()) {
                // began before the last clear (a test's straggler): it belongs to no one's journal now
                return;
            }
            long sequence = written;
            int position = (int) (sequence % ring.length());
            JournalSlot slot = ring.get(position);
            if (slot == null) {
                slot = new JournalSlot();
                ring.set(position, slot);
            }
            slot.write(sequence, entry, paths);
            written = sequence + 1;
            if (waiters > 0) {
                notifyAll();
            }
        }
    }

    /** Empties the journal; exchanges still in flight that began before now will not be recorded. */
    public synchronized void clear() {
        clearedAt = java.time.Instant.now();
        firstKept = written;
        for (int i = 0; i < ring.length(); i++) {
            ring.set(i, null); // what the entries held goes with them; slots are made again as needed
        }
    }

    /** Entries recorded since the last clear, including any the ring no longer holds. */
    public synchronized long size() {
        return written - firstKept;
    }

    public int capacity() {
        return ring.length();
    }

    public List<JournalEntry> entries() {
        return query(JournalQuery.ALL);
    }

    /** The matching entries, oldest first; each call unpacks them anew (equal entries, not the same objects). */
    public List<JournalEntry> query(JournalQuery query) {
        List<PackedEntry> matching = matching(query);
        int from = query.limit() == null ? 0 : Math.max(0, matching.size() - query.limit());
        return unpack(matching.subList(from, matching.size()));
    }

    /**
     * Waits until at least {@code count} recorded entries match, or the timeout passes; returns the
     * matching entries either way. For tests of asynchronous services: no sleep-and-hope.
     */
    public List<JournalEntry> await(JournalQuery query, int count, java.time.Duration timeout) throws InterruptedException {
        return unpack(awaitPacked(query.withLimit(null), count, timeout));
    }

    /** {@link #await}, for a caller that only needs to know how many match: nothing is unpacked. */
    public int awaitCount(JournalQuery query, int count, java.time.Duration timeout) throws InterruptedException {
        return awaitPacked(query.withLimit(null), count, timeout).size();
    }

    private List<PackedEntry> awaitPacked(JournalQuery query, int count, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            // counted packed: a loaded proxy wakes this loop at every record
            List<PackedEntry> found = matching(query);
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

    private List<PackedEntry> matching(JournalQuery query) {
        PathGlob glob = query.path() == null ? null : PathGlob.compile(query.path());
        List<PackedEntry> matching = new ArrayList<>();
        for (PackedEntry entry : snapshot()) {
            if (matches(entry, query, glob)) {
                matching.add(entry);
            }
        }
        return matching;
    }

    private static List<JournalEntry> unpack(List<PackedEntry> packed) {
        List<JournalEntry> out = new ArrayList<>(packed.size());
        for (PackedEntry entry : packed) {
            out.add(entry.unpack());
        }
        return out;
    }

    /**
     * The newest entries, oldest first, as the ring held them at one moment during the call: those
     * the writer went on to write over while they were read are left out from the oldest end, so
     * what is returned has no gap.
     */
    private List<PackedEntry> snapshot() {
        long end = written; // before firstKept: a clear in between leaves the snapshot empty, not stale
        long start = Math.max(firstKept, end - ring.length());
        PackedEntry[] read = new PackedEntry[(int) Math.max(0, end - start)];
        for (long sequence = start; sequence < end; sequence++) {
            JournalSlot slot = ring.get((int) (sequence % ring.length()));
            read[(int) (sequence - start)] = slot == null ? null : slot.read(sequence);
        }
        if (firstKept > start) {
            return List.of(); // cleared meanwhile: empty is what the journal held at that moment
        }
        // any entry older than this may have been written over during the loop; none newer was
        long oldestWhole = Math.max(start, written - ring.length());
        List<PackedEntry> out = new ArrayList<>(read.length);
        for (long sequence = oldestWhole; sequence < end; sequence++) {
            PackedEntry entry = read[(int) (sequence - start)];
            if (entry != null) { // null only for the oldest: written over, and not yet counted in written
                out.add(entry);
            }
        }
        return out;
    }

    private static boolean matches(PackedEntry entry, JournalQuery query, PathGlob glob) {
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
