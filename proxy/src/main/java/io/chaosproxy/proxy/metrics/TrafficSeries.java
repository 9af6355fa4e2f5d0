package io.chaosproxy.proxy.metrics;

import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.journal.ExchangeListener;
import io.chaosproxy.proxy.journal.JournalEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.HdrHistogram.IntCountsHistogram;

/**
 * Requests per second by status class and latency percentiles per second, over the last
 * {@link #SECONDS} seconds: what the dashboard's live charts draw. Prometheus keeps the long
 * history; this is the short one a page can ask for without a Prometheus server.
 *
 * <p>One slot per second in a ring, reused as time goes round; a slot's latency histogram is made
 * on its first exchange, so an idle proxy holds none.
 */
public final class TrafficSeries implements ExchangeListener {
    /** Five minutes: the "last minutes" of a live chart. */
    public static final int SECONDS = 300;
    /** Latencies above an hour are counted as an hour; two significant digits are plenty for a chart. */
    private static final long MAX_TRACKED_MS = 3_600_000;
    private static final int SIGNIFICANT_DIGITS = 2;

    /** One second of traffic; percentiles are null when no exchange finished in it. */
    public record Point(long epochSecond, long status1xx, long status2xx, long status3xx, long status4xx,
                        long status5xx, long dropped, Long p50Ms, Long p99Ms) {}

    private final LongSupplier epochMillis;
    private final Slot[] ring = new Slot[SECONDS];

    public TrafficSeries() {
        this(System::currentTimeMillis);
    }

    /** With a clock of epoch milliseconds, which tests move by hand. */
    public TrafficSeries(LongSupplier epochMillis) {
        this.epochMillis = epochMillis;
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new Slot();
        }
    }

    @Override
    public void onExchange(JournalEntry entry, String query, List<InstalledRule> firedRules) {
        long second = epochMillis.getAsLong() / 1000;
        Integer status = entry.status();
        int statusClass = status == null || status < 100 || status > 599 ? 0 : status / 100;
        ring[(int) (second % SECONDS)].record(second, statusClass, entry.durationMs());
    }

    /**
     * The last {@code seconds} seconds (at most {@link #SECONDS}), oldest first; the last point is
     * the second in progress, so a reader sees an exchange as soon as it is recorded.
     */
    public List<Point> lastSeconds(int seconds) {
        int count = Math.max(0, Math.min(seconds, SECONDS));
        long now = epochMillis.getAsLong() / 1000;
        List<Point> points = new ArrayList<>(count);
        for (long second = now - count + 1; second <= now; second++) {
            points.add(ring[(int) (second % SECONDS)].point(second));
        }
        return points;
    }

    private static final class Slot {
        private long second = -1;
        private final long[] byClass = new long[6]; // 0 = dropped, 1..5 = 1xx..5xx
        private IntCountsHistogram latency;

        synchronized void record(long at, int statusClass, long durationMs) {
            if (second != at) {
                second = at; // the ring came round: this slot's old second is past the window
                java.util.Arrays.fill(byClass, 0);
                if (latency != null) {
                    latency.reset();
                }
            }
            byClass[statusClass]++;
            if (latency == null) {
                latency = new IntCountsHistogram(MAX_TRACKED_MS, SIGNIFICANT_DIGITS);
            }
            latency.recordValue(Math.max(0, Math.min(durationMs, MAX_TRACKED_MS)));
        }

        synchronized Point point(long at) {
            if (second != at) {
                return new Point(at, 0, 0, 0, 0, 0, 0, null, null);
            }
            boolean any = latency != null && latency.getTotalCount() > 0;
            return new Point(at, byClass[1], byClass[2], byClass[3], byClass[4], byClass[5], byClass[0],
                    any ? latency.getValueAtPercentile(50) : null, any ? latency.getValueAtPercentile(99) : null);
        }
    }
}
