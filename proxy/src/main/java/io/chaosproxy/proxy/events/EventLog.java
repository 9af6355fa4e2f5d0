package io.chaosproxy.proxy.events;

import java.util.ArrayList;
import java.util.List;

/**
 * The newest proxy events, oldest first, in a fixed-size ring, each numbered from 1 in the order
 * recorded so a reader polls with "everything after the last number I saw".
 */
public final class EventLog {
    public static final int DEFAULT_CAPACITY = 2_000;

    /** An event with its number in this log. */
    public record Numbered(long seq, ProxyEvent event) {}

    private final Numbered[] ring;
    private long written; // guarded by this

    public EventLog() {
        this(DEFAULT_CAPACITY);
    }

    public EventLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("event log capacity must be >= 1, got " + capacity);
        }
        this.ring = new Numbered[capacity];
    }

    public synchronized void record(ProxyEvent event) {
        written++;
        ring[(int) ((written - 1) % ring.length)] = new Numbered(written, event);
    }

    /** Events numbered above {@code afterSeq} that the ring still holds, oldest first, at most the newest {@code limit}. */
    public synchronized List<Numbered> after(long afterSeq, int limit) {
        long first = Math.max(Math.max(afterSeq, 0), written - ring.length) + 1;
        first = Math.max(first, written - limit + 1);
        List<Numbered> out = new ArrayList<>((int) Math.max(0, written - first + 1));
        for (long seq = first; seq <= written; seq++) {
            out.add(ring[(int) ((seq - 1) % ring.length)]);
        }
        return out;
    }

    /** The number of the newest event; 0 when none was recorded. */
    public synchronized long lastSeq() {
        return written;
    }
}
