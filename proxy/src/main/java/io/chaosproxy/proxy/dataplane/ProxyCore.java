package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.proxy.journal.ExchangeListener;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * What every proxy of one process shares: the fault engine, the scheduler on which all waiting
 * happens (latency, backoff, timeouts, throttling), the parked hangs, and the listeners that hear
 * about finished exchanges.
 */
public final class ProxyCore implements AutoCloseable {
    private final FaultEngine faults;
    private final ScheduledThreadPoolExecutor scheduler;
    private final HangRegistry hangs = new HangRegistry();
    private final ExpiryWatch expiries;
    private final ClientWatchSweep clientWatchSweep;
    private final BodyReadAhead.Budget readAheadBudget = new BodyReadAhead.Budget();
    private final ThreadLocal<Boolean> ending = ThreadLocal.withInitial(() -> false);
    private final java.util.concurrent.atomic.AtomicLong resets = new java.util.concurrent.atomic.AtomicLong();
    private final List<ExchangeListener> listeners;
    private final io.chaosproxy.proxy.events.EventLog events = new io.chaosproxy.proxy.events.EventLog();

    public ProxyCore(FaultEngine faults, List<ExchangeListener> listeners) {
        this.faults = faults;
        this.listeners = List.copyOf(listeners);
        // One thread is enough: scheduled tasks only hand work on, they never block.
        this.scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "chaos-proxy-scheduler");
            thread.setDaemon(true);
            return thread;
        });
        // Attempt timeouts are cancelled on nearly every request: drop them from the queue at once.
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.expiries = new ExpiryWatch(faults, scheduler);
        this.clientWatchSweep = new ClientWatchSweep(scheduler);
        faults.onRemoved(rule -> {
            if (ending.get()) {
                hangs.end(rule);
            } else {
                hangs.release(rule);
            }
        });
    }

    /**
     * Runs {@code removal} (a reset's removing of rules) so that the exchanges held by the rules it
     * removes end instead of going on to the backend. Rules are removed, and their listeners told,
     * on the removing thread.
     */
    public void endingHeldExchanges(Runnable removal) {
        resets.incrementAndGet(); // before the removal: a hold parking meanwhile sees that it came too late
        ending.set(true);
        try {
            removal.run();
        } finally {
            ending.remove();
        }
    }

    public FaultEngine faults() {
        return faults;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    ClientWatchSweep clientWatchSweep() {
        return clientWatchSweep;
    }

    /** Breaker transitions and scenario phase changes of every proxy of this process. */
    public io.chaosproxy.proxy.events.EventLog events() {
        return events;
    }

    /**
     * Removes {@code rule} as soon as its {@code durationMs} is over (not when a request next
     * happens to look), so whatever its removal lets go is let go on time.
     */
    public void removeWhenDue(io.chaosproxy.faults.InstalledRule rule) {
        expiries.watch(rule);
    }

    HangRegistry hangs() {
        return hangs;
    }

    /** What the request bodies read ahead during holds may take, for every proxy of this process. */
    BodyReadAhead.Budget readAheadBudget() {
        return readAheadBudget;
    }

    /**
     * Holds an exchange while a hang rule lasts; {@code goOn} runs once when it is over, or
     * {@code end} when a reset removed the rule (see {@link HangHold}).
     */
    HangHold holdWhileRuleLasts(io.chaosproxy.faults.InstalledRule rule, Runnable goOn, Runnable end) {
        return holdWhileRuleLasts(rule, goOn, end, resets.get());
    }

    /** As above, for a hang decided when {@link #resets()} was {@code resetsBefore}: a reset since then ends it. */
    HangHold holdWhileRuleLasts(io.chaosproxy.faults.InstalledRule rule, Runnable goOn, Runnable end, long resetsBefore) {
        return new HangHold(faults, expiries, hangs, rule, goOn, end, () -> resets.get() != resetsBefore);
    }

    /**
     * How many resets have ended held exchanges so far. Read before deciding an exchange's faults:
     * a hold that parks after a reset removed the rules it was decided on must end, not wait for a
     * removal that has already happened.
     */
    long resets() {
        return resets.get();
    }

    /**
     * Marks an exchange as waiting out a latency of {@code decision}'s rules: a reset that removes
     * them runs {@code end}; any other removal lets the wait run its course. Returns the handle that
     * unmarks it, for when the wait is over.
     */
    Runnable waitingOut(io.chaosproxy.faults.FaultDecision decision, Runnable end, long resetsBefore) {
        if (decision.fired().isEmpty()) {
            return () -> { };
        }
        // a reset removes every rule: the first one that fired stands for them all
        Runnable unpark = hangs.park(decision.fired().get(0).id(), () -> { }, end);
        if (resets.get() != resetsBefore) {
            unpark.run(); // a reset came between the decision and now: it would have ended this wait
            end.run();
            return () -> { };
        }
        return unpark;
    }

    /** A finished TCP connection: the journal, the access log and the metrics hear of it as of an exchange. */
    public void recordConnection(io.chaosproxy.proxy.journal.JournalEntry entry, List<io.chaosproxy.faults.InstalledRule> fired) {
        recordExchange(entry, null, fired);
    }

    void recordExchange(io.chaosproxy.proxy.journal.JournalEntry entry, String query,
                        List<io.chaosproxy.faults.InstalledRule> fired) {
        for (ExchangeListener listener : listeners) {
            try {
                listener.onExchange(entry, query, fired);
            } catch (RuntimeException e) {
                // a listener must never break an exchange
                LoggerFactory.getLogger(ProxyCore.class).warn("exchange listener {} failed", listener, e);
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
