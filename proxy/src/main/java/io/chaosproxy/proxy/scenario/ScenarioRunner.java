package io.chaosproxy.proxy.scenario;

import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Phase;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.proxy.events.EventLog;
import io.chaosproxy.proxy.events.ProxyEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays one scenario at a time: installs each phase's rules when the phase starts, swapping out the
 * previous phase's in one step, on the shared scheduler. Starting a scenario replaces the running one.
 *
 * <p>Phase switches are due at fixed offsets from the scenario's start (not from the previous
 * switch), so a late tick never pushes the rest of the timeline back.
 */
public final class ScenarioRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ScenarioRunner.class);
    /** The origin every scenario rule carries; the journal shows what follows it. */
    static final String ORIGIN_PREFIX = "scenario:";
    private static final Predicate<InstalledRule> SCENARIO_RULES = rule -> rule.origin().startsWith(ORIGIN_PREFIX);

    /** The scenario and phase that installed {@code rule} ({@code "outage/phase-0"}), or null for anyone else's rule. */
    public static String scenarioOf(InstalledRule rule) {
        return rule.origin().startsWith(ORIGIN_PREFIX) ? rule.origin().substring(ORIGIN_PREFIX.length()) : null;
    }

    private final FaultEngine faults;
    private final ScheduledExecutorService scheduler;
    private final EventLog events;
    private Run current; // guarded by this

    public ScenarioRunner(FaultEngine faults, ScheduledExecutorService scheduler) {
        this(faults, scheduler, new EventLog());
    }

    /** As above, recording each phase change and end in {@code events}. */
    public ScenarioRunner(FaultEngine faults, ScheduledExecutorService scheduler, EventLog events) {
        this.faults = faults;
        this.scheduler = scheduler;
        this.events = events;
    }

    /**
     * Starts {@code scenario} now, stopping (and removing the rules of) any running one. Throws
     * {@link FaultSpecException} when the first phase cannot be installed (a rule name already taken);
     * nothing is then left running.
     */
    public synchronized RunningScenario start(Scenario scenario) {
        stopLocked("replaced");
        Run run = new Run(scenario, System.nanoTime(), Instant.now());
        enter(run, 0, 0, 0); // throws before anything runs if the first phase is refused
        current = run;
        return snapshot(run);
    }

    /** Stops the running scenario and removes its rules; false when none was running. */
    public synchronized boolean stop() {
        return stopLocked("stopped");
    }

    public synchronized Optional<RunningScenario> running() {
        return current == null ? Optional.empty() : Optional.of(snapshot(current));
    }

    private boolean stopLocked(String reason) {
        Run run = current;
        current = null;
        faults.removeIf(SCENARIO_RULES);
        if (run == null) {
            return false;
        }
        events.record(new ProxyEvent.ScenarioEnd(Instant.now(), run.scenario.name(), reason));
        if (run.next != null) {
            run.next.cancel(false);
        }
        return true;
    }

    /** Installs phase {@code index} of {@code round}, which is due {@code offsetNanos} after the start, and books the next. */
    private void enter(Run run, int index, int round, long offsetNanos) {
        Phase phase = run.scenario.phases().get(index);
        String origin = ORIGIN_PREFIX + run.scenario.name() + "/phase-" + index;
        faults.replace(SCENARIO_RULES, phase, origin);
        run.phaseIndex = index;
        run.round = round;
        run.phaseStartOffsetNanos = offsetNanos;
        run.phaseDurationNanos = phase.duration().toNanos();
        events.record(new ProxyEvent.PhaseChange(Instant.now(), run.scenario.name(), index, round));

        long nextOffset = offsetNanos + phase.duration().toNanos();
        long delay = Math.max(0, run.startNanos + nextOffset - System.nanoTime());
        run.next = scheduler.schedule(() -> advance(run, nextOffset), delay, TimeUnit.NANOSECONDS);
    }

    private synchronized void advance(Run run, long offsetNanos) {
        if (run != current) {
            return; // stopped or replaced while this tick was queued
        }
        int nextIndex = run.phaseIndex + 1;
        int round = run.round;
        if (nextIndex == run.scenario.phases().size()) {
            if (!run.scenario.repeat()) {
                stopLocked("finished");
                return;
            }
            nextIndex = 0;
            round++;
        }
        try {
            enter(run, nextIndex, round, offsetNanos);
        } catch (FaultSpecException e) {
            LOG.warn("scenario '{}' stopped: phase {} could not be installed: {}", run.scenario.name(), nextIndex, e.getMessage());
            stopLocked("phase " + nextIndex + " could not be installed");
        }
    }

    private static RunningScenario snapshot(Run run) {
        long elapsedInPhase = System.nanoTime() - run.startNanos - run.phaseStartOffsetNanos;
        Duration left = Duration.ofNanos(Math.max(0, run.phaseDurationNanos - elapsedInPhase));
        return new RunningScenario(run.scenario, run.phaseIndex, run.round, run.startedAt, left);
    }

    /** One play of a scenario; replaced wholesale on start, so stale ticks can tell they are stale. */
    private static final class Run {
        final Scenario scenario;
        final long startNanos;
        final Instant startedAt;
        int phaseIndex;
        int round;
        long phaseStartOffsetNanos;
        long phaseDurationNanos;
        ScheduledFuture<?> next;

        Run(Scenario scenario, long startNanos, Instant startedAt) {
            this.scenario = scenario;
            this.startNanos = startNanos;
            this.startedAt = startedAt;
        }
    }
}
