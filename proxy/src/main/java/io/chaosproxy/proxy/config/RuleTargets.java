package io.chaosproxy.proxy.config;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.Phase;
import io.chaosproxy.faults.Scenario;
import java.util.Map;

/**
 * Whether rules fit the proxies there are: the proxy a rule names exists (a rule for no proxy would
 * never fire: most likely a typo) and speaks a protocol the rule can act on. The one check behind
 * config files, {@code POST /faults}, scenarios and the JUnit API, so each says the same.
 */
public final class RuleTargets {
    private RuleTargets() {
    }

    /**
     * @param at the rule's place as a field prefix ({@code ""}, {@code "[2]."}, {@code "faults[0]."})
     * @param proxies each proxy's name and protocol, in the order to list them
     */
    public static void check(FaultRule rule, String at, Map<String, ProxyProtocol> proxies) {
        if (rule.proxy() == null) {
            return;
        }
        ProxyProtocol protocol = proxies.get(rule.proxy());
        if (protocol == null) {
            String field = at + "proxy";
            throw new FaultSpecException(field, field + " \"" + rule.proxy() + "\" names no proxy; proxies: "
                    + String.join(", ", proxies.keySet()));
        }
        protocol.check(rule, rule.proxy(), at);
    }

    /** Every rule of every phase, each named {@code at + "phases[p].faults[f]."}. */
    public static void check(Scenario scenario, String at, Map<String, ProxyProtocol> proxies) {
        for (int p = 0; p < scenario.phases().size(); p++) {
            Phase phase = scenario.phases().get(p);
            for (int f = 0; f < phase.faults().size(); f++) {
                check(phase.faults().get(f), at + "phases[" + p + "].faults[" + f + "].", proxies);
            }
        }
    }
}
