package io.chaosproxy.junit;

import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.PathGlob;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The proxy's journal as a test reads it: what the service under test sent, oldest first, and
 * what became of it. Narrow it with the {@code with...}/{@code to...} methods (each returns a new
 * view; the journal is read afresh by every terminal call), then assert:
 *
 * <pre>{@code
 * proxy.requests().toPath("/payments/**").withStatus(503).assertCount(2);
 * proxy.requests().toPath("/payments/**").withMethod("POST").await(3, Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>An exchange is recorded when the proxy has finished it, which can be a moment after its client
 * read the response. {@link #assertCount}, {@link #last()} and {@link #await} allow for that;
 * {@link #list()}, {@link #count()} and {@link #attempts()} read the journal as it is at that
 * instant, so use them for what is already settled. Failed assertions and timeouts print the
 * recorded requests.
 */
public final class Requests {
    /** Enough lines to see what happened without burying the failure under a long journal. */
    private static final int MAX_LINES = 50;
    /**
     * The proxy records an exchange once it has finished it, which can be a moment after the client
     * read the last byte; assertions wait this long for a count that is still short.
     */
    private static final Duration RECORDING_GRACE = Duration.ofMillis(500);

    private final ProxyControl control;
    private final JournalQuery query;
    private final List<Predicate<JournalEntry>> conditions;
    private final List<String> description;

    Requests(ProxyControl control) {
        this(control, JournalQuery.ALL, List.of(), List.of());
    }

    private Requests(ProxyControl control, JournalQuery query, List<Predicate<JournalEntry>> conditions,
                     List<String> description) {
        this.control = control;
        this.query = query;
        this.conditions = conditions;
        this.description = description;
    }

    /** Only exchanges through this named proxy. */
    public Requests onProxy(String proxyName) {
        return narrowed(query.withProxy(Objects.requireNonNull(proxyName, "proxyName")), "on proxy " + proxyName);
    }

    /** Only exchanges with this method (case-insensitive). */
    public Requests withMethod(String method) {
        return narrowed(query.withMethod(Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT)), method.toUpperCase(Locale.ROOT));
    }

    /** Only exchanges whose path matches: an exact path, or a glob where {@code *} is one segment and {@code **} any number. */
    public Requests toPath(String glob) {
        try {
            PathGlob.compile(glob);
        } catch (FaultSpecException e) {
            throw new IllegalArgumentException(e.getMessage().replace("match.path", "path"), e);
        }
        return narrowed(query.withPath(glob), "to " + glob);
    }

    /** Only exchanges whose client got this status. */
    public Requests withStatus(int status) {
        return narrowed(query.withStatus(status), "with status " + status);
    }

    /** Only exchanges this fault fired on. */
    public Requests withFault(InjectedFault fault) {
        return withFault(fault.id());
    }

    /** Only exchanges the rule with this id fired on. */
    public Requests withFault(String ruleId) {
        return narrowed(query.withFault(Objects.requireNonNull(ruleId, "ruleId")), "hit by fault " + ruleId);
    }

    /** Only exchanges where the client got no response at all (a drop, a hang, a client that gave up). */
    public Requests withoutResponse() {
        return matching("without a response", entry -> entry.status() == null);
    }

    /** Only exchanges meeting a condition of your own; {@code description} names it in failure messages. */
    public Requests matching(String description, Predicate<JournalEntry> condition) {
        List<Predicate<JournalEntry>> more = new ArrayList<>(conditions);
        more.add(Objects.requireNonNull(condition, "condition"));
        return new Requests(control, query, List.copyOf(more), append(description));
    }

    /** The matching exchanges recorded so far, oldest first. */
    public List<JournalEntry> list() {
        return filter(control.requests(query));
    }

    /** How many matching exchanges were recorded so far. */
    public int count() {
        return list().size();
    }

    /**
     * How many attempts the proxy made to backends for the matching exchanges: what the backends
     * saw, retries included, where {@link #count()} is what the client sent.
     */
    public int attempts() {
        return list().stream().mapToInt(entry -> entry.attempts().size()).sum();
    }

    /**
     * The most recent matching exchange, allowing a moment for it to be recorded; an
     * {@link AssertionError} listing the journal when there is none.
     */
    public JournalEntry last() {
        List<JournalEntry> found = settled(1);
        if (found.isEmpty()) {
            throw new AssertionError("expected a request" + describe() + ", but none was recorded." + journal());
        }
        return found.get(found.size() - 1);
    }

    /**
     * Asserts exactly {@code expected} matching exchanges were recorded; the error lists the
     * journal. A count still short of {@code expected} is looked at again for a moment, since an
     * exchange is recorded just after its client has read the response.
     */
    public Requests assertCount(int expected) {
        List<JournalEntry> found = settled(expected);
        if (found.size() != expected) {
            throw new AssertionError("expected " + plural(expected) + describe() + ", but " + found.size()
                    + (found.size() == 1 ? " was" : " were") + " recorded." + journal());
        }
        return this;
    }

    /**
     * Waits until at least {@code count} matching exchanges are recorded and returns them; after
     * {@code timeout}, fails with an {@link AssertionError} that lists what was recorded. No sleep
     * in the test, and no longer than needed.
     */
    public List<JournalEntry> await(int count, Duration timeout) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        JournalQuery unlimited = query.withLimit(null);
        while (true) {
            List<JournalEntry> recorded = control.requests(unlimited);
            List<JournalEntry> found = filter(recorded);
            if (found.size() >= count) {
                return found;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected at least " + plural(count) + describe() + " within "
                        + timeout.toMillis() + " ms, but " + found.size() + (found.size() == 1 ? " was" : " were")
                        + " recorded." + journal());
            }
            try {
                control.awaitMore(unlimited, recorded.size(), Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + plural(count) + describe(), e);
            }
        }
    }

    /** The filters and the matching exchanges, one per line. */
    @Override
    public String toString() {
        List<JournalEntry> found = list();
        return "requests" + describe() + ": " + found.size() + JournalText.lines(found, MAX_LINES);
    }

    /** The matching entries once there are {@code atLeast}, or after the recording grace. */
    private List<JournalEntry> settled(int atLeast) {
        long deadline = System.nanoTime() + RECORDING_GRACE.toNanos();
        while (true) {
            List<JournalEntry> recorded = control.requests(query);
            List<JournalEntry> found = filter(recorded);
            long left = deadline - System.nanoTime();
            if (found.size() >= atLeast || left <= 0) {
                return found;
            }
            try {
                control.awaitMore(query, recorded.size(), Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return found;
            }
        }
    }

    private Requests narrowed(JournalQuery next, String what) {
        return new Requests(control, next, conditions, append(what));
    }

    private List<String> append(String what) {
        List<String> more = new ArrayList<>(description);
        more.add(what);
        return List.copyOf(more);
    }

    private List<JournalEntry> filter(List<JournalEntry> entries) {
        if (conditions.isEmpty()) {
            return entries;
        }
        List<JournalEntry> kept = new ArrayList<>();
        for (JournalEntry entry : entries) {
            if (conditions.stream().allMatch(condition -> condition.test(entry))) {
                kept.add(entry);
            }
        }
        return kept;
    }

    private String describe() {
        return description.isEmpty() ? "" : " " + String.join(" ", description);
    }

    private String journal() {
        List<JournalEntry> all = control.requests(JournalQuery.ALL);
        return "\nrecorded requests, oldest first (" + all.size() + "):" + JournalText.lines(all, MAX_LINES);
    }

    private static String plural(int count) {
        return count + (count == 1 ? " request" : " requests");
    }
}
