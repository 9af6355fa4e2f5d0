package io.chaosproxy.faults;

/**
 * Drop: abort the client connection {@code when} (before the response, after the headers, mid-body
 * after {@code afterBytes} body bytes, or after the backend has answered; on TCP at connect or after
 * {@code afterBytes} bytes in {@code direction}), by {@code mode} (a TCP RST or a FIN).
 *
 * <p>Defaults: before-response (on TCP the same as connect), 0 bytes, reset, downstream.
 * {@code afterBytes} is a byte count in 0..1 TiB and only means something at a point that counts
 * bytes (mid-body, after-bytes), so it must stay 0 elsewhere.
 */
public record Drop(DropPoint when, long afterBytes, DropMode mode, Direction direction) implements Fault {

    public Drop {
        when = when == null ? DropPoint.BEFORE_RESPONSE : when;
        mode = mode == null ? DropMode.RESET : mode;
        direction = direction == null ? Direction.DOWNSTREAM : direction;
        Check.atLeast("afterBytes", afterBytes, 0);
        Check.atMost("afterBytes", afterBytes, Limits.MAX_AFTER_BYTES, "1 TiB");
        if (afterBytes != 0 && !when.countsBytes()) {
            throw afterBytesNeedsMidBody();
        }
    }

    /** A drop in the downstream direction. */
    public Drop(DropPoint when, long afterBytes, DropMode mode) {
        this(when, afterBytes, mode, Direction.DOWNSTREAM);
    }

    /** A reset before any response byte: the classic "connection reset by peer". */
    public Drop() {
        this(DropPoint.BEFORE_RESPONSE, 0, DropMode.RESET);
    }

    static FaultSpecException afterBytesNeedsMidBody() {
        return new FaultSpecException("afterBytes",
                "afterBytes only applies when \"when\" is mid-body or after-bytes");
    }

    /** {@inheritDoc} */
    @Override
    public boolean actsOnExchanges() {
        return !when.tcpOnly();
    }

    @Override
    public FaultType type() {
        return FaultType.DROP;
    }
}
