package io.chaosproxy.faults;

/**
 * A phase value rising linearly from {@code from} to {@code to} over the phase: MockServer's
 * degradation ramp.
 *
 * <p>It applies to every fault of its phase: {@link RampField#PROBABILITY} replaces each rule's
 * probability (0..1), {@link RampField#DELAY_MS} replaces each latency rule's {@code delayMs}
 * (milliseconds, 0..3,600,000) and leaves other kinds alone. {@code to} may be below {@code from}
 * for a recovery.
 */
public record Ramp(RampField field, double from, double to) {

    public Ramp {
        if (field == null) {
            throw new FaultSpecException("ramp.field", "ramp.field is required (one of "
                    + WireNames.list(RampField.class, RampField::wireName) + ")");
        }
        checkEnd("ramp.from", field, from);
        checkEnd("ramp.to", field, to);
    }

    /** The value at {@code progress} through the phase, 0 at its start and 1 at its end (clamped). */
    public double valueAt(double progress) {
        double clamped = Math.max(0.0, Math.min(1.0, progress));
        return from + (to - from) * clamped;
    }

    private static void checkEnd(String name, RampField field, double value) {
        // Every comparison with NaN is false, so these are written to let NaN fail.
        if (field == RampField.PROBABILITY && !(value >= 0.0 && value <= 1.0)) {
            throw new FaultSpecException(name, name + " must be between 0 and 1 for a probability ramp");
        }
        if (field == RampField.DELAY_MS && !(value >= 0.0 && value <= Limits.MAX_DELAY_MS)) {
            throw new FaultSpecException(name, name + " must be between 0 and " + Limits.MAX_DELAY_MS
                    + " (1 hour) for a delayMs ramp");
        }
    }
}
