package io.chaosproxy.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.journal.JournalEntry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TrafficSeriesTest {
    private final AtomicLong nowMillis = new AtomicLong(1_000_000_000_000L);
    private final TrafficSeries series = new TrafficSeries(nowMillis::get);

    @Test
    void countsEachSecondByStatusClassWithItsLatencyPercentiles() {
        for (int i = 1; i <= 99; i++) {
            record(200, i);
        }
        record(503, 1_000);
        record(null, 5);
        nowMillis.addAndGet(1_000);
        record(404, 7);

        List<TrafficSeries.Point> points = series.lastSeconds(3);

        assertThat(points).hasSize(3);
        assertThat(points.get(0).status2xx()).isZero();
        assertThat(points.get(0).p50Ms()).isNull();
        TrafficSeries.Point busy = points.get(1);
        assertThat(busy.status2xx()).isEqualTo(99);
        assertThat(busy.status5xx()).isEqualTo(1);
        assertThat(busy.dropped()).isEqualTo(1);
        assertThat(busy.p50Ms()).isBetween(49L, 51L);
        assertThat(busy.p99Ms()).isBetween(98L, 100L);
        TrafficSeries.Point inProgress = points.get(2);
        assertThat(inProgress.epochSecond()).isEqualTo(busy.epochSecond() + 1);
        assertThat(inProgress.status4xx()).isEqualTo(1);
        assertThat(inProgress.p99Ms()).isEqualTo(7);
    }

    @Test
    void aSecondFromBeforeTheWindowIsNotCountedWhenTheRingComesRound() {
        record(200, 10);
        nowMillis.addAndGet(TrafficSeries.SECONDS * 1_000L); // the same slot of the ring, one round later
        record(500, 20);

        TrafficSeries.Point now = series.lastSeconds(1).get(0);

        assertThat(now.status2xx()).isZero();
        assertThat(now.status5xx()).isEqualTo(1);
        assertThat(now.p50Ms()).isEqualTo(20);
        assertThat(series.lastSeconds(TrafficSeries.SECONDS).stream().mapToLong(TrafficSeries.Point::status2xx).sum()).isZero();
    }

    private void record(Integer status, long durationMs) {
        series.onExchange(new JournalEntry("id", "default", "GET", "/", status, List.of(), List.of(), durationMs,
                Instant.now(), null, null), null, List.of());
    }
}
