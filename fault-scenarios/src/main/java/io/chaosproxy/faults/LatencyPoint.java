package io.chaosproxy.faults;

/** When a latency rule's wait happens (its {@code "when"}). */
public enum LatencyPoint {
    /** Before the request is forwarded, so before any response (the default). */
    BEFORE_RESPONSE("before-response"),
    /**
     * After the backend has answered: its response waits at the proxy before going to the client,
     * so the backend has already acted when the client's timeout fires.
     */
    AFTER_BACKEND("after-backend");

    private final String wireName;

    LatencyPoint(String wireName) {
        this.wireName = wireName;
    }

    /** The JSON spelling, e.g. {@code "after-backend"}. */
    public String wireName() {
        return wireName;
    }

    /** Reads the JSON spelling; anything else is a {@link FaultSpecException} on field "when". */
    public static LatencyPoint fromWireName(String text) {
        return WireNames.lookup(LatencyPoint.class, LatencyPoint::wireName, "when", text, "latency");
    }
}
