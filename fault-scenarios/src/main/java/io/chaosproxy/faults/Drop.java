package io.chaosproxy.faults;

/**
 * Drop: abort the client connection {@code when} (before the response, after the headers, or
 * mid-body after {@code afterBytes} body bytes), by {@code mode} (a TCP RST or a FIN).
 *
 * <p>Defaults: before-response, 0 bytes, reset. {@code afterBytes} is a byte count in
 * 0..1 TiB and only means something mid-body, so it must stay 0 otherwise.
 */
public record Drop(DropPoint when, long afterBytes, DropMode mode) implements Fault {

    public Drop {
        when = when == null ? DropPoint.BEFORE_RESPONSE : when;
        mode = mode == null ? DropMode.RESET : mode;
        Check.atLeast("afterBytes", afterBytes, 0);
        Check.atMost("afterBytes", afterBytes, Limits.MAX_AFTER_BYTES, "1 TiB");
        if (afterBytes != 0 && when != DropPoint.MID_BODY) {
            throw afterBytesNeedsMidBody();
        }
    }

    /** A reset before any response byte: the classic "connection reset by peer". */
    public Drop() {
        this(DropPoint.BEFORE_RESPONSE, 0, DropMode.RESET);
    }

    static FaultSpecException afterBytesNeedsMidBody() {
        return new FaultSpecException("afterBytes",
                "afterBytes only applies when \"when\" is mid-body");
    }

    @Override
    public FaultType type() {
        return FaultType.DROP;
    }
}
