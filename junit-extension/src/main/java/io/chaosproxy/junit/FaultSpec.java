package io.chaosproxy.junit;

import io.chaosproxy.faults.Direction;
import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.FaultRuleJson;
import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A fault rule described in Java, started by one of the factories in {@link Faults} and handed to
 * {@link ChaosProxy#inject(FaultSpec)}: which requests it hits, how often, for how long, on which
 * leg. Every field of the contract's fault rule has a method here or on the kind's own class.
 *
 * <p>Specs are immutable values: each method returns a new spec, so one can be the base of several
 * ({@code var slow = latency(ofMillis(300)); proxy.inject(slow.onPath("/a/**")); proxy.inject(slow.onPath("/b/**"))}).
 * Values are checked when the rule is built ({@link #toRule()}, which {@code inject} calls) by
 * {@link FaultRule} itself, so the messages are the same as for a rule sent as JSON.
 *
 * @param <S> the kind's own class, so the methods here keep the kind's methods in reach
 */
public abstract sealed class FaultSpec<S extends FaultSpec<S>>
        permits DirectedFaultSpec, ErrorFault, RefuseFault {

    /** The part every kind shares, copied on each change; never shared between two specs. */
    static final class Common {
        private String name;
        private String proxy;
        private final List<String> methods = new ArrayList<>();
        private String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private double probability = 1.0;
        private Integer times;
        private long after;
        private Long durationMs;
        private Target target = Target.CLIENT;
        private Long ratePerSecond;
        Direction direction; // null: the kind's default (downstream); only directed kinds set it

        Common copy() {
            Common copy = new Common();
            copy.name = name;
            copy.proxy = proxy;
            copy.methods.addAll(methods);
            copy.path = path;
            copy.headers.putAll(headers);
            copy.probability = probability;
            copy.times = times;
            copy.after = after;
            copy.durationMs = durationMs;
            copy.target = target;
            copy.ratePerSecond = ratePerSecond;
            copy.direction = direction;
            return copy;
        }
    }

    private final Common common;

    FaultSpec(Common common) {
        this.common = common;
    }

    /** The same kind with the same parameters and other common settings. */
    abstract S with(Common common);

    /** The kind's parameters as the fault model's record, checked by its constructor. */
    abstract Fault fault();

    final Common common() {
        return common;
    }

    /** This spec's kind and parameters with one common setting changed; the original stays as it was. */
    final S changed(Consumer<Common> change) {
        Common next = common.copy();
        change.accept(next);
        return with(next);
    }

    /** A name unique among installed rules, to find it in {@code GET /faults} and logs; generated when not given. */
    public final S named(String name) {
        return changed(next -> next.name = name);
    }

    /** Limits the rule to one named proxy (see {@link NamedProxy}); by default it applies to every proxy. */
    public final S onProxy(String proxyName) {
        return changed(next -> next.proxy = proxyName);
    }

    /** Only requests with one of these methods; calls add up. */
    public final S onMethods(String... methods) {
        return changed(next -> next.methods.addAll(Arrays.asList(methods)));
    }

    /** Only requests whose path matches the glob: {@code *} is one segment, {@code **} any number. */
    public final S onPath(String glob) {
        return changed(next -> next.path = glob);
    }

    /** Only requests carrying this header with exactly this value (the name is case-insensitive); calls add up. */
    public final S withHeader(String name, String value) {
        return changed(next -> next.headers.put(name, value));
    }

    /** The chance, 0 to 1, that the rule fires for each eligible request; drawn from the proxy's seeded generator. */
    public final S probability(double probability) {
        return changed(next -> next.probability = probability);
    }

    /** Fires at most this many times, then stays installed but inert. */
    public final S times(int times) {
        return changed(next -> next.times = times);
    }

    /** Lets the first {@code requests} matching requests through untouched before the rule starts firing. */
    public final S after(long requests) {
        return changed(next -> next.after = requests);
    }

    /** Removes the rule this long after it is installed (whole milliseconds). */
    public final S lasting(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        return changed(next -> next.durationMs = duration.toMillis());
    }

    /**
     * Hits each attempt the proxy makes to the backend instead of the client's exchange, so the
     * proxy's retries and breakers react as to a real backend failure.
     */
    public final S upstream() {
        return changed(next -> next.target = Target.UPSTREAM);
    }

    /** Fires only for matching requests beyond this many in the current second: a rate limit. */
    public final S ratePerSecond(long requestsPerSecond) {
        return changed(next -> next.ratePerSecond = requestsPerSecond);
    }

    /**
     * The rule this spec describes, checked by {@link FaultRule}; a bad value is a
     * {@link FaultSpecException} naming the field, as the control API would answer.
     */
    public final FaultRule toRule() {
        FaultRule.Builder builder = FaultRule.builder(fault())
                .name(common.name)
                .proxy(common.proxy)
                .methods(common.methods.toArray(String[]::new))
                .probability(common.probability)
                .after(common.after)
                .target(common.target);
        if (common.path != null) {
            builder.path(common.path);
        }
        common.headers.forEach(builder::header);
        if (common.times != null) {
            builder.times(common.times);
        }
        if (common.durationMs != null) {
            builder.durationMs(common.durationMs);
        }
        if (common.ratePerSecond != null) {
            builder.ratePerSecond(common.ratePerSecond);
        }
        return builder.build();
    }

    /** The rule as the control API's JSON, for messages and logs. */
    @Override
    public String toString() {
        try {
            return FaultRuleJson.toJson(toRule()).toString();
        } catch (FaultSpecException e) {
            return getClass().getSimpleName() + " (invalid: " + e.getMessage() + ")";
        }
    }
}
