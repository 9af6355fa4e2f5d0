package io.chaosproxy.faults;

/**
 * Bandwidth: the response body flows at {@code bytesPerSecond} bytes per second
 * (1..1 GiB/s, default 1024). When several fire, the lowest rate applies.
 */
public record Bandwidth(long bytesPerSecond) implements Fault {

    /** Used when a bandwidth rule gives no {@code bytesPerSecond}: 1 KiB/s, slow enough to notice. */
    public static final long DEFAULT_BYTES_PER_SECOND = 1024;

    public Bandwidth {
        Check.positive("bytesPerSecond", bytesPerSecond);
        Check.atMost("bytesPerSecond", bytesPerSecond, Limits.MAX_BYTES_PER_SECOND, "1 GiB/s");
    }

    @Override
    public FaultType type() {
        return FaultType.BANDWIDTH;
    }
}
