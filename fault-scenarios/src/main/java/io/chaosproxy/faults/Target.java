package io.chaosproxy.faults;

import java.util.Locale;

/** Which leg of the trip a rule hits: the client's exchange, or each attempt to the backend. */
public enum Target {
    /** The client sees exactly this fault; the backend is not called for error, drop or hang. */
    CLIENT,
    /** Each upstream attempt suffers the fault, so retries and breakers react as to a real failure. */
    UPSTREAM;

    /** The JSON spelling: {@code "client"} or {@code "upstream"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads the JSON spelling; anything else is a {@link FaultSpecException} on field "target". */
    public static Target fromWireName(String text) {
        return WireNames.lookup(Target.class, Target::wireName, "target", text);
    }
}
