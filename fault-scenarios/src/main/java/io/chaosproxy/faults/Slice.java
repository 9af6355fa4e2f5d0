package io.chaosproxy.faults;

/**
 * Slice (TCP proxies only): writes in {@code direction} are cut into pieces of about
 * {@code sliceBytes} bytes (1..1 MiB, default 1) with {@code sliceDelayMs} milliseconds
 * (0..3,600,000, default 0) between them, as a slow or fragmenting network delivers them.
 */
public record Slice(long sliceBytes, long sliceDelayMs, Direction direction) implements Fault {

    /** One byte at a time: the strongest test of a client's framing. */
    public static final long DEFAULT_SLICE_BYTES = 1;

    public Slice {
        Check.positive("sliceBytes", sliceBytes);
        Check.atMost("sliceBytes", sliceBytes, Limits.MAX_SLICE_BYTES, "1 MiB");
        Check.atLeast("sliceDelayMs", sliceDelayMs, 0);
        Check.atMost("sliceDelayMs", sliceDelayMs, Limits.MAX_DELAY_MS, "1 hour");
        direction = direction == null ? Direction.DOWNSTREAM : direction;
    }

    /** Pieces of {@code sliceBytes} downstream, with no pause between them. */
    public Slice(long sliceBytes) {
        this(sliceBytes, 0, Direction.DOWNSTREAM);
    }

    /** {@inheritDoc} */
    @Override
    public boolean actsOnExchanges() {
        return false;
    }

    @Override
    public FaultType type() {
        return FaultType.SLICE;
    }
}
