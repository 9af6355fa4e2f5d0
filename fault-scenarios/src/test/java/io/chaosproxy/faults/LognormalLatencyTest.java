package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A lognormal latency's draws: median {@code delayMs}, 99th percentile {@code p99Ms}, replayable by seed. */
class LognormalLatencyTest {

    private static final int DRAWS = 10_000;

    private static long[] draws(long seed, Latency latency) {
        FaultEngine engine = new FaultEngine(seed, new TestClock());
        engine.install(FaultRule.builder(latency).build(), "api");
        long[] delays = new long[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            delays[i] = engine.decide(Request.get("/"), Target.CLIENT).delayMs();
        }
        return delays;
    }

    /** The nearest-rank percentile of sorted values. */
    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    @Test
    void tenThousandDrawsHaveTheAskedMedianAndP99WithinTenPercent() {
        long[] delays = draws(7, Latency.lognormal(200, 800));
        Arrays.sort(delays);

        long median = percentile(delays, 0.50);
        long p99 = percentile(delays, 0.99);

        assertThat((double) median).isCloseTo(200, within(20.0));
        assertThat((double) p99).isCloseTo(800, within(80.0));
        // A long tail: the slowest draw is well beyond p99, and no draw is negative.
        assertThat(delays[DRAWS - 1]).isGreaterThan(p99);
        assertThat(delays[0]).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aNarrowAndAWideTailBothHitTheirFigures() {
        for (Latency latency : new Latency[] {Latency.lognormal(50, 60), Latency.lognormal(20, 2000)}) {
            long[] delays = draws(123, latency);
            Arrays.sort(delays);

            assertThat((double) percentile(delays, 0.50)).as("median of " + latency)
                    .isCloseTo(latency.delayMs(), within(latency.delayMs() * 0.1));
            assertThat((double) percentile(delays, 0.99)).as("p99 of " + latency)
                    .isCloseTo(latency.p99Ms(), within(latency.p99Ms() * 0.1));
        }
    }

    @Test
    void theSameSeedGivesTheSameSequence() {
        assertThat(draws(99, Latency.lognormal(100, 900))).isEqualTo(draws(99, Latency.lognormal(100, 900)));
        assertThat(draws(99, Latency.lognormal(100, 900))).isNotEqualTo(draws(100, Latency.lognormal(100, 900)));
    }

    @Test
    void aDrawIsTheMedianTimesTheSpreadToTheGaussian() {
        Latency latency = Latency.lognormal(100, 400);

        assertThat(latency.lognormalDelayMs(100, 0.0)).isEqualTo(100);
        // z = 2.326 is the 99th percentile of the standard normal, so it lands on p99.
        assertThat(latency.lognormalDelayMs(100, 2.3263478740408408)).isEqualTo(400);
        assertThat(latency.lognormalDelayMs(100, -2.3263478740408408)).isEqualTo(25);
        // A ramp that moves the median keeps the spread.
        assertThat(latency.lognormalDelayMs(200, 2.3263478740408408)).isEqualTo(800);
        assertThat(latency.lognormalDelayMs(100, 1e9)).isEqualTo(3_600_000);
    }
}
