package io.chaosproxy.faults;

/**
 * Bandwidth: the response body flows at {@code bytesPerSecond} bytes per second
 * (1..1 GiB/s, default 1024); on a TCP proxy, the bytes in {@code direction}. When several fire,
 * the lowest rate applies.
 */
public record Bandwidth(long bytesPerSecond, Direction direction) implements Fault {

    /** Used when a bandwidth rule gives no {@code bytesPerSecond}: 1 KiB/s, slow enough to notice. */
    public static final long DEFAULT_BYTES_PER_SECOND = 1024;

    public Bandwidth {
        Check.positive("bytesPerSecond", bytesPerSecond);
        Check.atMost("bytesPerSecond", bytesPerSecond, Limits.MAX_BYTES_PER_SECOND, "1 GiB/s");
        direction = direction == null ? Direction.DOWNSTREAM : direction;
    }

    /** A downstream rate. */
    public Bandwidth(long bytesPerSecond) {
        this(bytesPerSecond, Direction.DOWNSTREAM);
    }

    @Override
    public FaultType type() {
        return FaultType.BANDWIDTH;
    }
}
