package io.chaosproxy.proxy.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PacingTest {
    private static final long GIB = 1024L * 1024 * 1024;

    @Test
    void smallCountsTakeTheirShareOfASecond() {
        assertThat(Pacing.nanosFor(512, 1024)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(Pacing.nanosFor(1, 3)).isEqualTo(333_333_333L);
        assertThat(Pacing.nanosFor(0, 1024)).isZero();
    }

    @Test
    void aThrottledStreamPastTenGibibytesKeepsItsPace() {
        // 9.2 GB times a billion no longer fits a long: the pause came out negative and throttling stopped
        long bytes = 10 * GIB;

        assertThat(Pacing.nanosFor(bytes, GIB)).isEqualTo(TimeUnit.SECONDS.toNanos(10));
        assertThat(Pacing.nanosFor(bytes + 1, 1024)).isGreaterThan(Pacing.nanosFor(bytes, 1024));
        assertThat(Pacing.nanosFor(bytes, 1024)).isEqualTo(TimeUnit.SECONDS.toNanos(10L * 1024 * 1024));
    }

    @Test
    void aPaceBeyondCenturiesSaturatesInsteadOfWrappingAround() {
        assertThat(Pacing.nanosFor(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(Pacing.nanosFor(Long.MAX_VALUE, 1024)).isPositive();
    }
}
