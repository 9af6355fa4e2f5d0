package io.chaosproxy.faults;

import java.time.Duration;
import java.util.List;

/**
 * One timed step of a scenario: these fault rules are active for {@code duration}, optionally with
 * a {@link Ramp} moving their probability or delay across it. No faults means a healthy phase.
 */
public record Phase(Duration duration, List<FaultRule> faults, Ramp ramp) {

    public Phase {
        if (duration == null) {
            throw new FaultSpecException("duration", "duration is required, e.g. 5s");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new FaultSpecException("duration", "duration must be > 0");
        }
        if (duration.compareTo(Duration.ofMillis(Limits.MAX_DURATION_MS)) > 0) {
            throw new FaultSpecException("duration", "duration must be at most 30 days");
        }
        faults = faults == null ? List.of() : List.copyOf(faults);
    }

    /** A phase without a ramp. */
    public Phase(Duration duration, List<FaultRule> faults) {
        this(duration, faults, null);
    }
}
