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
 * read the response. How each terminal call waits for that:
 * <ul>
 *   <li>{@link #assertCount} and {@link #last()}: while fewer entries than asked for (one, for
 *       {@code last()}) are recorded, look again as entries arrive, for up to
 *       {@value #DEFAULT_WAIT_MS} ms ({@link #waitingUpTo} changes it); a count already reached or
 *       passed is judged at once.</li>
 *   <li>{@link #await}: up to its own timeout, for a service that calls out asynchronously.</li>
 *   <li>{@link #list()}, {@link #count()} and {@link #attempts()}: no wait; the journal as it is.</li>
 * </ul>
 * Failed assertions and timeouts print the recorded requests.
 */
public final class Requests {
    /** Enough lines to see what happened without burying the failure under a long journal. */
    private static final int MAX_LINES = 50;
    /**
     * The proxy records an exchange once it has finished it, which can be a moment after the client
     * read the last byte (milliseconds, even on a loaded machine); assertions wait this long by
     * default for a count that is still short.
     */
    static final long DEFAULT_WAIT_MS = 500;

    private final ProxyControl control;
    private final JournalQuery query;
    private final List<Predicate<JournalEntry>> conditions;
    private final List<String> description;
    private final Duration wait;

    Requests(ProxyControl control) {
        this(control, JournalQuery.ALL, List.of(), List.of(), Duration.ofMillis(DEFAULT_WAIT_MS));
    }

    private Requests(ProxyControl control, JournalQuery query, List<Predicate<JournalEntry>> conditions,
                     List<String> description, Duration wait) {
        this.control = control;
        this.query = query;
        this.conditions = conditions;
        this.description = description;
        this.wait = wait;
    }

    /**
     * How long {@link #assertCount} and {@link #last()} look again for entries still being recorded
     * ({@value #DEFAULT_WAIT_MS} ms unless changed here); {@code Duration.ZERO} judges at once.
     */
    public Requests waitingUpTo(Duration wait) {
        if (Objects.requireNonNull(wait, "wait").isNegative()) {
            throw new IllegalArgumentException("wait must not be negative, got " + wait);
        }
        return new Requests(control, query, conditions, description, wait);
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

    /** Only exchanges this fault fired on; failure messages call it by its name. */
    public Requests withFault(InjectedFault fault) {
        return narrowed(query.withFault(fault.id()), "hit by fault \"" + fault.name() + "\" (" + fault.id() + ")");
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
        return new Requests(control, query, List.copyOf(more), append(description), wait);
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
     * The most recent matching exchange, waiting for one as {@link #waitingUpTo} says (500 ms by
     * default); an {@link AssertionError} listing the journal when there is none by then.
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
     * journal. A count still short of {@code expected} is looked at again as entries arrive, for
     * up to {@link #waitingUpTo} (500 ms by default), since an exchange is recorded just after its
     * client has read the response. Takes a {@code long}, as {@link InjectedFault#fired()} is one.
     */
    public Requests assertCount(long expected) {
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

    /** The matching entries once there are {@code atLeast}, or after {@link #wait}. */
    private List<JournalEntry> settled(long atLeast) {
        long deadline = System.nanoTime() + wait.toNanos();
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
        return new Requests(control, next, conditions, append(what), wait);
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

    private static String plural(long count) {
        return count + (count == 1 ? " request" : " requests");
    }
}
