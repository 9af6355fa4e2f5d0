package io.chaosproxy.faults;

import java.util.Locale;

/**
 * Which way a fault acts on a TCP proxy's byte pipe; HTTP exchanges have one response direction
 * and ignore it.
 */
public enum Direction {
    /** Backend to client (the default): what the client reads. */
    DOWNSTREAM,
    /** Client to backend: what the backend reads. */
    UPSTREAM,
    /** Both ways, each counted on its own. */
    BOTH;

    /** The JSON spelling: {@code "downstream"}, {@code "upstream"} or {@code "both"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads the JSON spelling; anything else is a {@link FaultSpecException} on field "direction". */
    public static Direction fromWireName(String text) {
        return WireNames.lookup(Direction.class, Direction::wireName, "direction", text);
    }

    /** Whether bytes flowing {@code way} ({@link #DOWNSTREAM} or {@link #UPSTREAM}) are affected. */
    public boolean covers(Direction way) {
        return this == BOTH || this == way;
    }
}
