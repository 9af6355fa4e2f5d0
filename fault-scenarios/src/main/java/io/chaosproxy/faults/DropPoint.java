package io.chaosproxy.faults;

/** When a drop fault cuts the client connection. */
public enum DropPoint {
    /** Before any response byte is sent. */
    BEFORE_RESPONSE("before-response"),
    /** After the status line and headers, before the body. */
    AFTER_HEADERS("after-headers"),
    /** After {@code afterBytes} bytes of the body. */
    MID_BODY("mid-body");

    private final String wireName;

    DropPoint(String wireName) {
        this.wireName = wireName;
    }

    /** The JSON spelling, e.g. {@code "before-response"}. */
    public String wireName() {
        return wireName;
    }

    /** Reads the JSON spelling; anything else is a {@link FaultSpecException} on field "when". */
    public static DropPoint fromWireName(String text) {
        return WireNames.lookup(DropPoint.class, DropPoint::wireName, "when", text);
    }
}
