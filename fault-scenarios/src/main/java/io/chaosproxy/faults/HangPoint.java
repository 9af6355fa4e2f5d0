package io.chaosproxy.faults;

/** Where a hang stops the response (its {@code "when"}). */
public enum HangPoint {
    /** Before any response byte: the client waits for a status that never comes (the default). */
    BEFORE_RESPONSE("before-response"),
    /**
     * After the status, the headers and {@code afterBytes} bytes of body: the client holds an open
     * connection and a partial body, and only its read timeout ends the wait.
     */
    MID_BODY("mid-body");

    private final String wireName;

    HangPoint(String wireName) {
        this.wireName = wireName;
    }

    /** The JSON spelling, e.g. {@code "mid-body"}. */
    public String wireName() {
        return wireName;
    }

    /** Reads the JSON spelling; anything else is a {@link FaultSpecException} on field "when". */
    public static HangPoint fromWireName(String text) {
        return WireNames.lookup(HangPoint.class, HangPoint::wireName, "when", text, "hang");
    }
}
