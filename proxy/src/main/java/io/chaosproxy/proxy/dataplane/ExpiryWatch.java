package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.InstalledRule;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Removes a rule with {@code durationMs} when it is due, so whatever waits for its removal (a held
 * exchange, a stalled TCP chunk, a refusing port) is let go on time even if no request comes to
 * notice the expiry. One look is scheduled per rule, however many wait on it; a look that comes
 * early (the scheduler's clock and the engine's differ) schedules another; a rule removed before
 * it is due takes its look with it.
 */
final class ExpiryWatch {
    private final FaultEngine faults;
    private final ScheduledExecutorService scheduler;
    /** The next look at each watched rule, by rule id. */
    private final Map<String, ScheduledFuture<?>> looks = new ConcurrentHashMap<>();

    ExpiryWatch(FaultEngine faults, ScheduledExecutorService scheduler) {
        this.faults = faults;
        this.scheduler = scheduler;
        faults.onRemoved(this::forget);
    }

    /** Makes sure {@code rule} is removed once it expires; a rule without a duration is left alone. */
    void watch(InstalledRule rule) {
        if (rule.expiresAt() == null) {
            return;
        }
        looks.computeIfAbsent(rule.id(), id -> lookWhenDue(rule));
        if (!faults.rules().contains(rule)) {
            forget(rule); // removed meanwhile: its removal may have come before the look was there to cancel
        }
    }

    private void forget(InstalledRule rule) {
        ScheduledFuture<?> look = looks.remove(rule.id());
        if (look != null) {
            look.cancel(false);
        }
    }

    /** The look, or null when the scheduler is stopping (then nothing waits any more). */
    private ScheduledFuture<?> lookWhenDue(InstalledRule rule) {
        long wait = Math.max(0, Duration.between(faults.clock().instant(), rule.expiresAt()).toMillis());
        try {
            return scheduler.schedule(() -> look(rule), wait + 1, TimeUnit.MILLISECONDS); // a millisecond late, never early
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private void look(InstalledRule rule) {
        faults.pruneExpired(); // the removal tells every listener (this one too, which forgets the rule)
        if (faults.rules().contains(rule)) {
            looks.computeIfPresent(rule.id(), (id, early) -> lookWhenDue(rule)); // woke early: look again
        }
    }
}
