package io.chaosproxy.faults;

import java.util.Locale;

/** The kinds of fault, as spelled in a rule's {@code "type"} field. */
public enum FaultType {
    LATENCY, ERROR, DROP, BANDWIDTH, HANG, REFUSE, SLICE;

    /** The JSON spelling: {@code "latency"}, {@code "error"}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads the JSON spelling; anything else is a {@link FaultSpecException} on field "type" listing the valid types. */
    public static FaultType fromWireName(String text) {
        return WireNames.lookup(FaultType.class, FaultType::wireName, "type", text);
    }

    /** Error, drop and hang answer the request themselves, so only one of them can apply. */
    public boolean isTerminal() {
        return this == ERROR || this == DROP || this == HANG;
    }
}
