package io.chaosproxy.faults;

/** When a drop fault cuts the client connection. */
public enum DropPoint {
    /** Before any response byte is sent; on a TCP proxy the same as {@link #CONNECT}. */
    BEFORE_RESPONSE("before-response"),
    /** After the status line and headers, before the body. */
    AFTER_HEADERS("after-headers"),
    /** After {@code afterBytes} bytes of the body. */
    MID_BODY("mid-body"),
    /**
     * After the backend has answered: the request was handled (a payment taken, a row written), but
     * the client never hears so.
     */
    AFTER_BACKEND("after-backend"),
    /** TCP: the connection is accepted, then cut before any byte flows (the default on TCP). */
    CONNECT("connect"),
    /** TCP: cut after {@code afterBytes} bytes counted in the rule's {@code direction}. */
    AFTER_BYTES("after-bytes");

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
        return WireNames.lookup(DropPoint.class, DropPoint::wireName, "when", text, "drop");
    }

    /** Whether the point counts bytes, so that {@code afterBytes} means something there. */
    public boolean countsBytes() {
        return this == MID_BODY || this == AFTER_BYTES;
    }

    /** Whether the point exists only on TCP proxies; an HTTP exchange is never dropped there. */
    public boolean tcpOnly() {
        return this == CONNECT || this == AFTER_BYTES;
    }
}
