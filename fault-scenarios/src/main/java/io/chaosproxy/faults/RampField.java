package io.chaosproxy.faults;

/** The rule value a {@link Ramp} moves over a phase. */
public enum RampField {
    /** Every fault's probability, 0..1. */
    PROBABILITY("probability"),
    /** Latency faults' delay in milliseconds; other kinds are left alone. */
    DELAY_MS("delayMs");

    private final String wireName;

    RampField(String wireName) {
        this.wireName = wireName;
    }

    /** The JSON spelling, the same as the rule field it moves: {@code "probability"} or {@code "delayMs"}. */
    public String wireName() {
        return wireName;
    }

    /** Reads the JSON spelling; anything else is a {@link FaultSpecException} on field "ramp.field". */
    public static RampField fromWireName(String text) {
        return WireNames.lookup(RampField.class, RampField::wireName, "ramp.field", text);
    }
}
