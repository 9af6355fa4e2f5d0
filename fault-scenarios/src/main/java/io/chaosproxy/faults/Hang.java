package io.chaosproxy.faults;

/**
 * Hang: the response stops and the connection stays open until the client gives up or the rule
 * goes (then what was held flows on).
 *
 * <p>{@code when} before-response (the default): no response at all. {@code when} mid-body: the
 * status, the headers and exactly {@code afterBytes} bytes of body (0..1 TiB), then nothing; on
 * HTTP/2 only that stream stalls. A rule that gives {@code afterBytes} without {@code when} means
 * mid-body. On a TCP proxy, bytes in {@code direction} stop after {@code afterBytes} (default 0).
 */
public record Hang(HangPoint when, long afterBytes, Direction direction) implements Fault {

    public Hang {
        when = when == null ? HangPoint.BEFORE_RESPONSE : when;
        direction = direction == null ? Direction.DOWNSTREAM : direction;
        Check.atLeast("afterBytes", afterBytes, 0);
        Check.atMost("afterBytes", afterBytes, Limits.MAX_AFTER_BYTES, "1 TiB");
        if (afterBytes != 0 && when != HangPoint.MID_BODY) {
            throw new FaultSpecException("afterBytes", "afterBytes only applies when \"when\" is mid-body");
        }
    }

    /** No response at all. */
    public Hang() {
        this(HangPoint.BEFORE_RESPONSE, 0, Direction.DOWNSTREAM);
    }

    /** A stall after {@code afterBytes} bytes of the response body. */
    public static Hang midBody(long afterBytes) {
        return new Hang(HangPoint.MID_BODY, afterBytes, Direction.DOWNSTREAM);
    }

    @Override
    public FaultType type() {
        return FaultType.HANG;
    }
}
