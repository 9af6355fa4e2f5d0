package io.chaosproxy.faults;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** A rule installed in an engine, with its live counters. */
public final class InstalledRule {

    private final FaultRule rule;
    private final String origin;
    private final Instant installedAt;
    private final Instant expiresAt;
    private final Ramp ramp;
    private final Duration rampOver;

    private final AtomicLong fired = new AtomicLong();
    private final AtomicLong matched = new AtomicLong();
    private final AtomicReference<RateWindow> rateWindow = new AtomicReference<>(new RateWindow(Long.MIN_VALUE, 0));

    /** Matching requests counted in one clock second, for {@code ratePerSecond}. */
    private record RateWindow(long second, long count) {
    }

    InstalledRule(FaultRule rule, String origin, Instant installedAt, Ramp ramp, Duration rampOver) {
        this.rule = rule;
        this.origin = origin;
        this.installedAt = installedAt;
        this.expiresAt = rule.durationMs() == null ? null : installedAt.plusMillis(rule.durationMs());
        this.ramp = ramp;
        this.rampOver = rampOver;
    }

    public String id() {
        return rule.id();
    }

    /** The rule as installed: with its id and (possibly generated) name. */
    public FaultRule rule() {
        return rule;
    }

    /** Who installed it: {@code "api"}, {@code "config"}, {@code "scenario:outage/phase-0"} and so on. */
    public String origin() {
        return origin;
    }

    /** How many times it fired. */
    public long fired() {
        return fired.get();
    }

    /** How many requests it matched (the {@code after} count runs on this). */
    public long matched() {
        return matched.get();
    }

    public Instant installedAt() {
        return installedAt;
    }

    /** When {@code durationMs} runs out; {@code null} if it never does. */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** Whether it has fired its {@code times}; an exhausted rule stays listed but never fires again. */
    public boolean exhausted() {
        return rule.times() != null && fired.get() >= rule.times();
    }

    /** The ramp moving its probability or delay, from the scenario phase that installed it; may be null. */
    public Ramp ramp() {
        return ramp;
    }

    /**
     * The rule's JSON ({@link FaultRuleJson}) plus its counters and lifecycle. Written there: so a
     * proxy's first exchange, which links this class, does not load Jackson's tree classes too.
     */
    public ObjectNode toJson() {
        return FaultRuleJson.toJson(this);
    }

    boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** Counts a matching request and returns its number, 1 for the first. */
    long countMatch() {
        return matched.incrementAndGet();
    }

    /**
     * Counts the request in the current one-second window and says whether it is beyond
     * {@code ratePerSecond}; without a rate every request is "beyond", so the rule may fire.
     */
    boolean beyondRate(Instant now) {
        Long rate = rule.ratePerSecond();
        if (rate == null) {
            return true;
        }
        long second = Math.floorDiv(now.toEpochMilli(), 1000);
        RateWindow window = rateWindow.updateAndGet(current -> current.second() == second
                ? new RateWindow(second, current.count() + 1)
                : new RateWindow(second, 1));
        return window.count() > rate;
    }

    /** Takes one of the rule's {@code times}; compare-and-set, so no firing is ever given out twice. */
    boolean reserveFiring() {
        Integer times = rule.times();
        if (times == null) {
            fired.incrementAndGet();
            return true;
        }
        while (true) {
            long current = fired.get();
            if (current >= times) {
                return false;
            }
            if (fired.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** The probability in force now: the rule's own, or where its ramp has got to. */
    double probabilityAt(Instant now) {
        if (ramp != null && ramp.field() == RampField.PROBABILITY) {
            return ramp.valueAt(progress(now));
        }
        return rule.probability();
    }

    /** The base delay in force now for a latency rule: its own, or where its ramp has got to. */
    long delayMsAt(Instant now, Latency latency) {
        if (ramp != null && ramp.field() == RampField.DELAY_MS) {
            return Math.round(ramp.valueAt(progress(now)));
        }
        return latency.delayMs();
    }

    private double progress(Instant now) {
        long total = rampOver == null ? 0 : rampOver.toMillis();
        if (total <= 0) {
            return 1.0;
        }
        return (double) Duration.between(installedAt, now).toMillis() / total;
    }

    @Override
    public String toString() {
        return "InstalledRule[" + id() + " " + rule.name() + " " + rule.type().wireName() + ", fired " + fired() + "]";
    }
}
