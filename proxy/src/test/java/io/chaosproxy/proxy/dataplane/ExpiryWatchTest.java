package io.chaosproxy.proxy.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's clock and the scheduler's run apart: a look that comes before the rule is due by
 * the engine's clock must look again, or whatever waits on the rule's removal waits for ever.
 */
class ExpiryWatchTest {
    private final HeldClock clock = new HeldClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final FaultEngine engine = new FaultEngine(1, clock);
    private final ScheduledThreadPoolExecutor scheduler = newScheduler();
    private final ExpiryWatch watch = new ExpiryWatch(engine, scheduler);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void aLookThatComesEarlyLooksAgainAndTheRuleGoesOnceItIsDue() {
        List<InstalledRule> removed = new ArrayList<>();
        engine.onRemoved(removed::add);
        InstalledRule rule = engine.install(FaultRule.builder(new Hang()).durationMs(50).build(), "test");

        watch.watch(rule);
        // a second look can only come if the first, early by the engine's clock, scheduled it
        await("the early look looked again").atMost(Duration.ofSeconds(10)).until(() -> scheduler.getCompletedTaskCount() >= 2);
        assertThat(engine.rules()).as("by the engine's clock the rule is not due yet").containsExactly(rule);

        clock.advance(Duration.ofMillis(50));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(removed).containsExactly(rule));
        await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.getQueue().isEmpty());
    }

    @Test
    void oneLookIsScheduledPerRuleHoweverManyWaitOnIt() {
        InstalledRule rule = engine.install(FaultRule.builder(new Hang()).durationMs(60_000).build(), "test");
        for (int i = 0; i < 100; i++) {
            watch.watch(rule);
        }
        assertThat(scheduler.getQueue()).hasSize(1);
    }

    @Test
    void aRuleRemovedBeforeItIsDueTakesItsLookWithIt() {
        InstalledRule rule = engine.install(FaultRule.builder(new Hang()).durationMs(3_600_000).build(), "test");
        watch.watch(rule);
        assertThat(scheduler.getQueue()).hasSize(1);
        engine.remove(rule.id());
        assertThat(scheduler.getQueue()).as("nothing left to look at for an hour").isEmpty();
    }

    @Test
    void aRuleWithoutADurationIsLeftAlone() {
        InstalledRule rule = engine.install(FaultRule.builder(new Hang()).build(), "test");
        watch.watch(rule);
        assertThat(scheduler.getQueue()).isEmpty();
    }

    private static ScheduledThreadPoolExecutor newScheduler() {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        scheduler.setRemoveOnCancelPolicy(true); // as the proxy's own
        return scheduler;
    }

    /** Moves only when the test says so, like an engine clock that lags the scheduler's. */
    private static final class HeldClock extends Clock {
        private volatile Instant now;

        HeldClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
