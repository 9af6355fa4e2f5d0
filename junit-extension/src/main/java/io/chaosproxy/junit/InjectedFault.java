package io.chaosproxy.junit;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.FaultRuleJson;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A fault rule installed by {@link ChaosProxy#inject}: its id and name, how many times it has
 * fired, and a way to remove it. Closing it removes it, so a fault can be scoped with
 * try-with-resources; every fault is removed before the next test anyway.
 */
public final class InjectedFault implements AutoCloseable {
    private final FaultRule rule;
    private final LongSupplier fired;
    private final BooleanSupplier remover;

    InjectedFault(FaultRule rule, LongSupplier fired, BooleanSupplier remover) {
        this.rule = rule;
        this.fired = fired;
        this.remover = remover;
    }

    /** The id the proxy gave the rule, as in {@code /faults/{id}} and in journal entries' {@code faults}. */
    public String id() {
        return rule.id();
    }

    /** The rule's name: the one given with {@code named(...)}, or the one the proxy generated. */
    public String name() {
        return rule.name();
    }

    /** The rule as installed, with its id and name. */
    public FaultRule rule() {
        return rule;
    }

    /**
     * How many times the rule has fired so far. In process this stays readable after the rule is
     * removed; over the control API a removed rule can no longer be asked, which is an error.
     */
    public long fired() {
        return fired.getAsLong();
    }

    /** Removes the rule; false when it was already gone (removed, expired, or reset). */
    public boolean remove() {
        return remover.getAsBoolean();
    }

    /** The same as {@link #remove()}, for try-with-resources. */
    @Override
    public void close() {
        remove();
    }

    @Override
    public String toString() {
        return "InjectedFault" + FaultRuleJson.toJson(rule);
    }
}
