package io.chaosproxy.faults;

import java.time.Duration;
import java.util.List;

/**
 * A named script of phases, run in order (and from the start again when {@code repeat}); each phase
 * replaces the previous phase's faults.
 */
public record Scenario(String name, String description, boolean repeat, List<Phase> phases) {

    public Scenario {
        Check.name("name", name);
        description = description == null ? "" : description;
        if (phases == null || phases.isEmpty()) {
            throw new FaultSpecException("phases", "phases must list at least one phase");
        }
        phases = List.copyOf(phases);
    }

    /** How long one pass through every phase takes. */
    public Duration totalDuration() {
        return phases.stream().map(Phase::duration).reduce(Duration.ZERO, Duration::plus);
    }
}
