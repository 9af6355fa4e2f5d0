package io.chaosproxy.faults;

import java.util.Locale;

/** How a drop fault ends the connection. */
public enum DropMode {
    /** A TCP RST (SO_LINGER 0, then close): the client sees "connection reset". */
    RESET,
    /** A TCP FIN: the client sees the connection closed early. */
    CLOSE;

    /** The JSON spelling: {@code "reset"} or {@code "close"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads the JSON spelling; anything else is a {@link FaultSpecException} on field "mode". */
    public static DropMode fromWireName(String text) {
        return WireNames.lookup(DropMode.class, DropMode::wireName, "mode", text);
    }
}
