package io.chaosproxy.proxy.journal;

import java.time.Instant;
import java.util.List;

/**
 * A journal entry as a reader gets it from the ring ({@link JournalSlot}): the common exchange as one
 * object of numbers and references ({@link Compact}), or anything else as it came ({@link Whole}). A
 * query filters on these without unpacking; {@link #unpack} gives back an equal {@link JournalEntry}.
 */
sealed interface PackedEntry {

    JournalEntry unpack();

    // what a query filters on, read without unpacking
    String proxy();

    String method();

    String path();

    Integer status();

    List<String> faults();

    /** An entry kept as it came. */
    record Whole(JournalEntry entry) implements PackedEntry {
        @Override
        public JournalEntry unpack() {
            return entry;
        }

        @Override
        public String proxy() {
            return entry.proxy();
        }

        @Override
        public String method() {
            return entry.method();
        }

        @Override
        public String path() {
            return entry.path();
        }

        @Override
        public Integer status() {
            return entry.status();
        }

        @Override
        public List<String> faults() {
            return entry.faults();
        }
    }

    /** The common exchange, its per-request strings as numbers: a copy of a slot's fields. */
    final class Compact implements PackedEntry {
        private final long idHigh;
        private final long idLow;
        private final boolean traced;
        private final long traceHigh;
        private final long traceLow;
        private final String proxy;
        private final String method;
        private final String path;
        private final int status;
        private final List<String> faults;
        private final long durationMs;
        private final long startedSecond;
        private final int startedNano;
        private final String scenario;
        private final String error;
        private final int grpcStatus;
        private final boolean hasAttempt;
        private final String backend;
        private final int attemptStatus;
        private final String attemptError;
        private final long attemptMs;

        Compact(JournalSlot slot) {
            idHigh = slot.idHigh;
            idLow = slot.idLow;
            traced = slot.traced;
            traceHigh = slot.traceHigh;
            traceLow = slot.traceLow;
            proxy = slot.proxy;
            method = slot.method;
            path = slot.path;
            status = slot.status;
            faults = slot.faults;
            durationMs = slot.durationMs;
            startedSecond = slot.startedSecond;
            startedNano = slot.startedNano;
            scenario = slot.scenario;
            error = slot.error;
            grpcStatus = slot.grpcStatus;
            hasAttempt = slot.hasAttempt;
            backend = slot.backend;
            attemptStatus = slot.attemptStatus;
            attemptError = slot.attemptError;
            attemptMs = slot.attemptMs;
        }

        @Override
        public JournalEntry unpack() {
            List<Attempt> attempts = hasAttempt
                    ? List.of(new Attempt(backend, orNull(attemptStatus), attemptError, attemptMs))
                    : List.of();
            return new JournalEntry(HexIds.uuid(idHigh, idLow), proxy, method, path, orNull(status), faults, attempts,
                    durationMs, Instant.ofEpochSecond(startedSecond, startedNano), scenario, error,
                    traced ? HexIds.traceId(traceHigh, traceLow) : null, orNull(grpcStatus), null);
        }

        @Override
        public String proxy() {
            return proxy;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public Integer status() {
            return orNull(status);
        }

        @Override
        public List<String> faults() {
            return faults;
        }

        private static Integer orNull(int value) {
            return value == JournalSlot.NONE ? null : value;
        }
    }
}
