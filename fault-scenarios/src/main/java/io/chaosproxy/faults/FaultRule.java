package io.chaosproxy.faults;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * One fault rule: which requests it hits ({@code proxy}, {@code match}), how often
 * ({@code probability}, {@code times}, {@code after}, {@code ratePerSecond}), for how long
 * ({@code durationMs}), on which leg ({@code target}) and what it does ({@code fault}).
 *
 * <p>The fields are those of the contract's "Fault rule", plus one: {@code ratePerSecond}. When set,
 * the rule fires only for the matching requests beyond that many in the current one-second window,
 * which is how a rate limit ("429 past 10 requests per second") is expressed.
 *
 * @param id            assigned by the engine at install; {@code null} before
 * @param name          unique among installed rules; {@code null} until generated at install
 * @param proxy         the one named proxy the rule is limited to; {@code null} means every proxy
 * @param match         conditions on method, path and headers; {@link Match#ANY} by default
 * @param probability   chance of firing for each eligible request, 0..1, default 1
 * @param times         fire at most this many times; {@code null} means unlimited
 * @param after         let the first {@code after} matching requests through untouched, default 0
 * @param durationMs    the rule expires this many milliseconds after install; {@code null} means never
 * @param target        the client's exchange (default) or each upstream attempt
 * @param fault         what happens when the rule fires
 * @param ratePerSecond fire only beyond this many matching requests per second; {@code null} means no rate
 */
public record FaultRule(String id, String name, String proxy, Match match, double probability,
                        Integer times, long after, Long durationMs, Target target, Fault fault,
                        Long ratePerSecond) {

    public FaultRule {
        if (id != null && id.isBlank()) {
            throw new FaultSpecException("id", "id must not be blank");
        }
        if (name != null) {
            Check.name("name", name);
        }
        if (proxy != null) {
            Check.nonEmpty("proxy", proxy);
        }
        match = match == null ? Match.ANY : match;
        checkProbability(probability);
        if (times != null) {
            checkTimes(times);
        }
        checkAfter(after);
        if (durationMs != null) {
            checkDurationMs(durationMs);
        }
        target = target == null ? Target.CLIENT : target;
        if (fault == null) {
            throw new FaultSpecException("type", "type is required (one of "
                    + WireNames.list(FaultType.class, FaultType::wireName) + ")");
        }
        if (ratePerSecond != null) {
            checkRatePerSecond(ratePerSecond);
        }
        if (fault instanceof Refuse) {
            checkRefuse(match, probability, times, after, target, ratePerSecond);
        }
        if (target == Target.UPSTREAM && isAfterBackend(fault)) {
            throw new FaultSpecException("target", "target upstream does not apply with \"when\": \"after-backend\""
                    + " (the backend's answer is cut or held on its way to the client)");
        }
    }

    /** The same rule with the id the engine assigned. */
    public FaultRule withId(String id) {
        return new FaultRule(id, name, proxy, match, probability, times, after, durationMs, target, fault,
                ratePerSecond);
    }

    /** The same rule under another name. */
    public FaultRule withName(String name) {
        return new FaultRule(id, name, proxy, match, probability, times, after, durationMs, target, fault,
                ratePerSecond);
    }

    /** The same rule firing with another probability (used by probability ramps). */
    public FaultRule withProbability(double probability) {
        return new FaultRule(id, name, proxy, match, probability, times, after, durationMs, target, fault,
                ratePerSecond);
    }

    /** The kind of fault, the same as {@code fault().type()}. */
    public FaultType type() {
        return fault.type();
    }

    /** Starts a rule with the defaults: any request, probability 1, after 0, client target. */
    public static Builder builder(Fault fault) {
        return new Builder(fault);
    }

    /** Refuse acts on a listener, before any request exists: nothing request-shaped applies to it. */
    private static void checkRefuse(Match match, double probability, Integer times, long after, Target target,
                                     Long ratePerSecond) {
        if (!match.equals(Match.ANY)) {
            throw refuseTakes("match");
        }
        if (probability != 1.0) {
            throw refuseTakes("probability");
        }
        if (times != null) {
            throw refuseTakes("times");
        }
        if (after != 0) {
            throw refuseTakes("after");
        }
        if (target != Target.CLIENT) {
            throw refuseTakes("target");
        }
        if (ratePerSecond != null) {
            throw refuseTakes("ratePerSecond");
        }
    }

    /** The fields a refuse rule refuses, in the contract's order; shared with the parser. */
    static final List<String> NOT_FOR_REFUSE =
            List.of("match", "probability", "times", "after", "target", "ratePerSecond");

    static FaultSpecException refuseTakes(String field) {
        return new FaultSpecException(field, field + " does not apply to type refuse (a refused port refuses"
                + " every new connection while the rule lasts; use durationMs to limit it)");
    }

    private static boolean isAfterBackend(Fault fault) {
        return (fault instanceof Drop drop && drop.when() == DropPoint.AFTER_BACKEND)
                || (fault instanceof Latency latency && latency.when() == LatencyPoint.AFTER_BACKEND);
    }

    // The checks below are shared with the parser, which runs them on values too wide for the
    // record (an "after" of 1e30, a "times" beyond int) before narrowing them.

    static void checkProbability(double probability) {
        // Written so that NaN fails too: every comparison with NaN is false.
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new FaultSpecException("probability", "probability must be between 0 and 1");
        }
    }

    static void checkTimes(long times) {
        Check.atLeast("times", times, 1);
        Check.atMost("times", times, Limits.MAX_TIMES, null);
    }

    static void checkAfter(long after) {
        Check.atLeast("after", after, 0);
        Check.atMost("after", after, Limits.MAX_AFTER, null);
    }

    static void checkDurationMs(long durationMs) {
        Check.positive("durationMs", durationMs);
        Check.atMost("durationMs", durationMs, Limits.MAX_DURATION_MS, "30 days");
    }

    static void checkRatePerSecond(long ratePerSecond) {
        Check.positive("ratePerSecond", ratePerSecond);
        Check.atMost("ratePerSecond", ratePerSecond, Limits.MAX_RATE_PER_SECOND, null);
    }

    /** Builds a rule fluently; {@link #build()} validates with the parser's messages. */
    public static final class Builder {
        private final Fault fault;
        private String name;
        private String proxy;
        private final LinkedHashSet<String> methods = new LinkedHashSet<>();
        private PathGlob path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Match match;
        private double probability = 1.0;
        private Integer times;
        private long after;
        private Long durationMs;
        private Target target = Target.CLIENT;
        private Long ratePerSecond;

        private Builder(Fault fault) {
            this.fault = fault;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder proxy(String proxy) {
            this.proxy = proxy;
            return this;
        }

        /** Replaces any methods, path or headers given so far. */
        public Builder match(Match match) {
            this.match = match;
            methods.clear();
            path = null;
            headers.clear();
            return this;
        }

        public Builder methods(String... methods) {
            this.methods.addAll(Arrays.asList(methods));
            return this;
        }

        public Builder path(String glob) {
            this.path = PathGlob.compile(glob);
            return this;
        }

        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Builder probability(double probability) {
            this.probability = probability;
            return this;
        }

        public Builder times(int times) {
            this.times = times;
            return this;
        }

        public Builder after(long after) {
            this.after = after;
            return this;
        }

        public Builder durationMs(long durationMs) {
            this.durationMs = durationMs;
            return this;
        }

        public Builder duration(Duration duration) {
            return durationMs(duration.toMillis());
        }

        public Builder target(Target target) {
            this.target = target;
            return this;
        }

        public Builder ratePerSecond(long ratePerSecond) {
            this.ratePerSecond = ratePerSecond;
            return this;
        }

        public FaultRule build() {
            Match built = match;
            if (!methods.isEmpty() || path != null || !headers.isEmpty()) {
                Match base = match == null ? Match.ANY : match;
                LinkedHashSet<String> allMethods = new LinkedHashSet<>(base.methods());
                allMethods.addAll(methods);
                Map<String, String> allHeaders = new LinkedHashMap<>(base.headers());
                allHeaders.putAll(headers);
                built = new Match(allMethods, path != null ? path : base.path(), allHeaders);
            }
            return new FaultRule(null, name, proxy, built, probability, times, after, durationMs, target,
                    fault, ratePerSecond);
        }
    }
}
