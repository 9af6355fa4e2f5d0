package io.chaosproxy.proxy.scenario;

import io.chaosproxy.faults.Scenario;
import java.time.Duration;
import java.time.Instant;

/** A snapshot of the scenario in progress: which phase, and how long until the next one. */
public record RunningScenario(Scenario scenario, int phaseIndex, int round, Instant startedAt, Duration phaseTimeLeft) {
    public String name() {
        return scenario.name();
    }
}
