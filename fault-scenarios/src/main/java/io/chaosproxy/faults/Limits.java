package io.chaosproxy.faults;

/**
 * The sane caps on numeric fields: large enough for any real test, small enough that a typo
 * (an extra zero or three) is caught instead of hanging a request for a year.
 */
final class Limits {

    static final long MAX_DELAY_MS = 3_600_000L;              // 1 hour
    static final long MAX_DURATION_MS = 30L * 24 * 3_600_000;  // 30 days
    static final long MAX_AFTER = 1_000_000_000L;              // a billion requests
    static final long MAX_TIMES = Integer.MAX_VALUE;
    static final long MAX_RATE_PER_SECOND = 1_000_000L;
    static final long MAX_BYTES_PER_SECOND = 1L << 30;         // 1 GiB/s: beyond that it is no throttle
    static final long MAX_AFTER_BYTES = 1L << 40;              // 1 TiB
    static final long MAX_SLICE_BYTES = 1L << 20;              // 1 MiB: a bigger piece is no slicing
    static final int MAX_GRPC_STATUS = 16;                     // UNAUTHENTICATED, the last gRPC code

    private Limits() {
    }
}
