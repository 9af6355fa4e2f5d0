package io.chaosproxy.proxy.journal;

import java.util.Set;

/**
 * A filter over the journal; null fields match everything. {@code path} is an exact path or a glob
 * with {@code *} and {@code **}, like a fault rule's. {@code limit} keeps the newest N.
 */
public record JournalQuery(String proxy, String method, String path, Integer status, String fault, Integer limit) {

    public static final JournalQuery ALL = new JournalQuery(null, null, null, null, null, null);

    public JournalQuery {
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
    }

    public JournalQuery withProxy(String value) { return new JournalQuery(value, method, path, status, fault, limit); }
    public JournalQuery withMethod(String value) { return new JournalQuery(proxy, value, path, status, fault, limit); }
    public JournalQuery withPath(String value) { return new JournalQuery(proxy, method, value, status, fault, limit); }
    public JournalQuery withStatus(Integer value) { return new JournalQuery(proxy, method, path, value, fault, limit); }
    public JournalQuery withFault(String value) { return new JournalQuery(proxy, method, path, status, value, limit); }
    public JournalQuery withLimit(Integer value) { return new JournalQuery(proxy, method, path, status, fault, value); }

    static final Set<String> FIELDS = Set.of("proxy", "method", "path", "status", "fault", "limit");
}
