package io.chaosproxy.proxy.journal;

import java.util.List;
import java.util.concurrent.locks.StampedLock;

/**
 * One position of the journal's ring, written over in place by each entry that lands there: the
 * common HTTP exchange (one attempt, no faults on it, ids in the proxy's own formats) as numbers and
 * references to shared strings, so that recording it leaves nothing new for the ring to keep.
 *
 * <p>Why: at 10,000 exchanges a second every entry outlives several young collections (the ring
 * holds the last 10,000), so an entry kept as objects is copied at each of them, then promoted, and
 * dies in the old generation, which it fills toward a full collection. With entries kept as two or
 * three objects each, a loaded proxy's young pauses were twice the stack floor's and a full
 * collection came every ten seconds or so; p99 at 4 connections was 1.7-2.0 ms against 1.2-1.5 ms
 * with slots (src/bench/FINDINGS.md, "The journal writes over its slots").
 *
 * <p>Anything out of the common shape (a TCP connection, retries, an attempt with faults, a request
 * id or trace id in another format) is kept whole, as the object it came as: still correct, just not
 * smaller. Readers do not hold up recording: they copy a slot under an optimistic read of its
 * {@link StampedLock}, and take its read lock, for one copy, only when a write overlapped.
 */
final class JournalSlot {
    /** A null Integer in an int field; an entry that holds this value itself is kept whole. */
    static final int NONE = Integer.MIN_VALUE;

    private final StampedLock lock = new StampedLock();
    private long sequence = -1; // which recorded entry this slot holds
    private PackedEntry.Whole whole; // the entry, when it is not of the common shape

    long idHigh;
    long idLow;
    boolean traced;
    long traceHigh;
    long traceLow;
    String proxy;     // the proxy's own name: shared
    String method;    // Jetty's constant for the known methods
    String path;      // the journal's canonical copy when the path repeats
    int status;
    List<String> faults; // the shared empty list when none fired
    long durationMs;
    long startedSecond;
    int startedNano;
    String scenario;
    String error;
    int grpcStatus;
    boolean hasAttempt;
    String backend;   // the backend's label: shared
    int attemptStatus;
    String attemptError;
    long attemptMs;

    /**
     * Holds {@code entry} as the {@code sequence}-th recorded one: as numbers when it has the common
     * shape, its path then as {@code paths} keeps it; else whole.
     */
    void write(long sequence, JournalEntry entry, KnownPaths paths) {
        if (isCommon(entry)) {
            writeCommon(sequence, entry, paths.known(entry.path()));
        } else {
            writeWhole(sequence, entry);
        }
    }

    private void writeWhole(long sequence, JournalEntry entry) {
        long stamp = lock.writeLock();
        try {
            this.sequence = sequence;
            whole = new PackedEntry.Whole(entry);
            // let go of what the entry before held
            proxy = method = path = scenario = error = backend = attemptError = null;
            faults = null;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    private void writeCommon(long sequence, JournalEntry entry, String path) {
        long stamp = lock.writeLock();
        try {
            this.sequence = sequence;
            whole = null;
            Attempt attempt = entry.attempts().isEmpty() ? null : entry.attempts().get(0);
            idHigh = HexIds.uuidHigh(entry.requestId());
            idLow = HexIds.uuidLow(entry.requestId());
            traced = entry.traceId() != null;
            traceHigh = traced ? HexIds.parse(entry.traceId(), 0, 16) : 0;
            traceLow = traced ? HexIds.parse(entry.traceId(), 16, 32) : 0;
            proxy = entry.proxy();
            method = entry.method();
            this.path = path;
            status = orNone(entry.status());
            faults = entry.faults();
            durationMs = entry.durationMs();
            startedSecond = entry.startedAt().getEpochSecond();
            startedNano = entry.startedAt().getNano();
            scenario = entry.scenario();
            error = entry.error();
            grpcStatus = orNone(entry.grpcStatus());
            hasAttempt = attempt != null;
            backend = hasAttempt ? attempt.backend() : null;
            attemptStatus = hasAttempt ? orNone(attempt.status()) : NONE;
            attemptError = hasAttempt ? attempt.error() : null;
            attemptMs = hasAttempt ? attempt.durationMs() : 0;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** The {@code sequence}-th recorded entry, or null when this slot holds another by now. */
    PackedEntry read(long sequence) {
        long stamp = lock.tryOptimisticRead();
        PackedEntry copy = copyIfHolding(sequence);
        if (lock.validate(stamp)) {
            return copy;
        }
        stamp = lock.readLock();
        try {
            return copyIfHolding(sequence);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private PackedEntry copyIfHolding(long wanted) {
        if (sequence != wanted) {
            return null;
        }
        // a copy made while a write overlapped may be torn; read() throws it away unseen
        return whole != null ? whole : new PackedEntry.Compact(this);
    }

    private static boolean isCommon(JournalEntry entry) {
        if (entry.connection() != null || entry.attempts().size() > 1) {
            return false;
        }
        if (!entry.attempts().isEmpty() && !entry.attempts().get(0).faults().isEmpty()) {
            return false;
        }
        String traceId = entry.traceId();
        if (!HexIds.isUuid(entry.requestId()) || (traceId != null && !HexIds.isTraceId(traceId))) {
            return false;
        }
        // a status nobody sends, but a backend's grpc-status is whatever it wrote
        return !isNone(entry.status()) && !isNone(entry.grpcStatus())
                && (entry.attempts().isEmpty() || !isNone(entry.attempts().get(0).status()));
    }

    private static boolean isNone(Integer value) {
        return value != null && value == NONE;
    }

    private static int orNone(Integer value) {
        return value == null ? NONE : value;
    }
}
