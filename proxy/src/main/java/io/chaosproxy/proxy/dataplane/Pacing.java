package io.chaosproxy.proxy.dataplane;

/** The arithmetic of the bandwidth fault, shared by the HTTP body relay and WebSocket messages. */
final class Pacing {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private Pacing() {}

    /**
     * How long {@code bytes} take at {@code bytesPerSecond}, in nanoseconds; {@code Long.MAX_VALUE}
     * past about 292 years. Whole seconds and the rest apart: {@code bytes * 1e9} overflows a long
     * once a stream passes 9.2 GB, and the pause then came out negative, so throttling stopped.
     */
    static long nanosFor(long bytes, long bytesPerSecond) {
        long seconds = bytes / bytesPerSecond;
        long rest = bytes % bytesPerSecond; // < bytesPerSecond <= 1 GiB/s: rest * 1e9 fits
        if (seconds > (Long.MAX_VALUE - NANOS_PER_SECOND) / NANOS_PER_SECOND) {
            return Long.MAX_VALUE;
        }
        return seconds * NANOS_PER_SECOND + rest * NANOS_PER_SECOND / bytesPerSecond;
    }
}
