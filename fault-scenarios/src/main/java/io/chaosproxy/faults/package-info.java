/**
 * What can go wrong, and when: fault rules, their matching and decisions, and scenarios.
 *
 * <p>A map for a first read:
 * <ul>
 *   <li>The model: {@link io.chaosproxy.faults.FaultRule} holds one {@link io.chaosproxy.faults.Fault},
 *       a sealed interface with one record per kind ({@code Latency}, {@code ErrorResponse}, {@code Drop},
 *       {@code Bandwidth}, {@code Hang}, {@code Refuse}, {@code Slice}), and a
 *       {@link io.chaosproxy.faults.Match} built on {@link io.chaosproxy.faults.PathGlob}. Where a
 *       fault strikes is a small enum per kind ({@code DropPoint}, {@code HangPoint},
 *       {@code LatencyPoint}); {@code Direction} says which way it acts on a TCP pipe and
 *       {@code LatencyDistribution} how a latency spreads.</li>
 *   <li>Reading and writing: {@link io.chaosproxy.faults.FaultRuleParser} and
 *       {@link io.chaosproxy.faults.FaultRuleJson}; every bad input is a
 *       {@link io.chaosproxy.faults.FaultSpecException} naming its field.</li>
 *   <li>Deciding: {@link io.chaosproxy.faults.FaultEngine} holds
 *       {@link io.chaosproxy.faults.InstalledRule}s and turns a request into a
 *       {@link io.chaosproxy.faults.FaultDecision}, looking only at the rules a {@code RuleIndex}
 *       (by target, proxy, literal path segments, method, first header) says the request could match.</li>
 *   <li>Scenarios: {@link io.chaosproxy.faults.Scenario} of {@link io.chaosproxy.faults.Phase}s, read by
 *       {@link io.chaosproxy.faults.ScenarioParser}, the built-ins in
 *       {@link io.chaosproxy.faults.ScenarioCatalog}.</li>
 * </ul>
 * Nothing here opens a socket or starts a thread; time comes from an injected {@link java.time.Clock}.
 */
package io.chaosproxy.faults;
