package io.chaosproxy.proxy.tracing;

import io.chaosproxy.proxy.journal.HexIds;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A W3C Trace Context {@code traceparent} value: version 00, trace-id, parent-id and flags.
 *
 * <p>The proxy is a hop in the trace: it keeps the caller's trace-id and flags and puts its own
 * new parent-id on the request it sends upstream.
 */
public record TraceParent(String traceId, String parentId, String flags) {
    public static final String HEADER = "traceparent";
    public static final String STATE_HEADER = "tracestate";

    private static final String ZERO_TRACE_ID = "00000000000000000000000000000000";
    private static final String ZERO_PARENT_ID = "0000000000000000";

    /** Parses a header value, or returns null when it is missing or not a valid traceparent. */
    public static TraceParent parse(String header) {
        if (header == null) {
            return null;
        }
        String value = header.trim();
        // version "00" is exactly 55 chars; a future version may append fields after a '-'.
        if (value.length() < 55 || (value.length() > 55 && value.charAt(55) != '-')) {
            return null;
        }
        String version = value.substring(0, 2);
        if (!HexIds.isLowerHex(version) || version.equals("ff") || (version.equals("00") && value.length() != 55)) {
            return null;
        }
        if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return null;
        }
        String traceId = value.substring(3, 35);
        String parentId = value.substring(36, 52);
        String flags = value.substring(53, 55);
        if (!HexIds.isLowerHex(traceId) || !HexIds.isLowerHex(parentId) || !HexIds.isLowerHex(flags)
                || traceId.equals(ZERO_TRACE_ID) || parentId.equals(ZERO_PARENT_ID)) {
            return null;
        }
        return new TraceParent(traceId, parentId, flags);
    }

    /** A new trace, sampled, as a proxy starting the trace would send it. */
    public static TraceParent newTrace() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String traceId;
        do {
            traceId = HexIds.traceId(random.nextLong(), random.nextLong());
        } while (traceId.equals(ZERO_TRACE_ID));
        return new TraceParent(traceId, newParentId(), "01");
    }

    /** The same trace and flags with the proxy's own span as the parent. */
    public TraceParent childOfProxy() {
        return new TraceParent(traceId, newParentId(), flags);
    }

    public String headerValue() {
        return "00-" + traceId + "-" + parentId + "-" + flags;
    }

    private static String newParentId() {
        String id;
        do {
            id = HexIds.hex(ThreadLocalRandom.current().nextLong(), 16);
        } while (id.equals(ZERO_PARENT_ID));
        return id;
    }
}
