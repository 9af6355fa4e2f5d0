package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.InstalledRule;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Removes a rule with {@code durationMs} when it is due, so whatever waits for its removal (a held
 * exchange, a stalled TCP chunk, a refusing port) is let go on time even if no request comes to
 * notice the expiry. One look is scheduled per rule, however many wait on it; a look that comes
 * early (the scheduler's clock and the engine's differ) schedules another.
 */
final class ExpiryWatch {
    private final FaultEngine faults;
    private final ScheduledExecutorService scheduler;
    private final Set<String> watched = ConcurrentHashMap.newKeySet();

    ExpiryWatch(FaultEngine faults, ScheduledExecutorService scheduler) {
        this.faults = faults;
        this.scheduler = scheduler;
    }

    /** Makes sure {@code rule} is removed once it expires; a rule without a duration is left alone. */
    void watch(InstalledRule rule) {
        if (rule.expiresAt() != null && watched.add(rule.id())) {
            lookWhenDue(rule);
        }
    }

    private void lookWhenDue(InstalledRule rule) {
        long wait = Math.max(0, Duration.between(faults.clock().instant(), rule.expiresAt()).toMillis());
        try {
            scheduler.schedule(() -> look(rule), wait + 1, TimeUnit.MILLISECONDS); // a millisecond late, never early
        } catch (RejectedExecutionException e) {
            watched.remove(rule.id()); // stopping: nothing waits any more
        }
    }

    private void look(InstalledRule rule) {
        faults.pruneExpired(); // the removal tells every listener, which lets the waiters go
        if (faults.rules().contains(rule)) {
            lookWhenDue(rule);
        } else {
            watched.remove(rule.id());
        }
    }
}
