package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The index only leaves out rules whose match cannot hold: for random rules and random requests,
 * every rule that applies to a request (its target, its proxy, its match) is among the candidates,
 * oldest first, each once. So {@code decide()} sees the same rules in the same order as a walk of
 * the whole list, and counts, draws and fires exactly as before; the others cost nothing.
 */
class RuleIndexTest {
    private static final String[] SEGMENTS = {"api", "orders", "42", "files", "a.json", "", "API"};
    private static final String[] GLOB_SEGMENTS = {"api", "orders", "42", "files", "*", "*.json", "**", "a*", ""};
    private static final String[] METHODS = {"GET", "POST", "DELETE", "get", "PATCH"};
    private static final String[] PROXIES = {"default", "other", "third"};

    @Test
    void everyRuleWhoseMatchHoldsIsACandidateInInstallationOrder() {
        SplittableRandom random = new SplittableRandom(20261203);
        for (int round = 0; round < 20; round++) {
            List<InstalledRule> rules = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                FaultRule rule = randomRule(random).withId("f" + i).withName("r" + i);
                rules.add(new InstalledRule(rule, "test", Instant.EPOCH, null, null));
            }
            RuleIndex index = RuleIndex.of(List.copyOf(rules));
            for (int r = 0; r < 500; r++) {
                Request request = randomRequest(random);
                for (Target target : Target.values()) {
                    int[] candidates = index.candidates(target, request);
                    TreeSet<Integer> seen = new TreeSet<>();
                    int previous = -1;
                    for (int position : candidates) {
                        assertThat(position).as("ascending, each once").isGreaterThan(previous);
                        previous = position;
                        seen.add(position);
                    }
                    for (int position = 0; position < rules.size(); position++) {
                        FaultRule rule = rules.get(position).rule();
                        boolean applies = rule.target() == target
                                && (rule.proxy() == null || rule.proxy().equals(request.proxy()))
                                && rule.match().matches(request);
                        if (applies) {
                            assertThat(seen).as("rule %s (%s) for %s %s %s", rule.name(), rule.match(), request.method(),
                                    request.path(), request.header("X-Tenant")).contains(position);
                        }
                    }
                }
            }
        }
    }

    @Test
    void anExpiredRuleIsSeenWhateverTheRequestMatches() {
        Instant installed = Instant.parse("2026-01-01T00:00:00Z");
        FaultRule expiring = FaultRule.builder(new Latency(1, 0)).path("/elsewhere/**").durationMs(1_000L).build()
                .withId("f1").withName("expiring");
        RuleIndex index = RuleIndex.of(List.of(new InstalledRule(expiring, "test", installed, null, null)));

        assertThat(index.anyExpired(Target.CLIENT, "default", installed.plus(Duration.ofMillis(999)))).isFalse();
        assertThat(index.anyExpired(Target.CLIENT, "default", installed.plus(Duration.ofSeconds(1)))).isTrue();
        assertThat(index.anyExpired(Target.UPSTREAM, "default", installed.plus(Duration.ofSeconds(2)))).isFalse();
        assertThat(index.candidates(Target.CLIENT, Request.get("/orders"))).isEmpty();
    }

    private static FaultRule randomRule(SplittableRandom random) {
        FaultRule.Builder builder = FaultRule.builder(new Latency(1, 0));
        if (random.nextInt(4) > 0) {
            StringBuilder glob = new StringBuilder();
            int segments = random.nextInt(4);
            for (int i = 0; i < segments; i++) {
                glob.append('/').append(GLOB_SEGMENTS[random.nextInt(GLOB_SEGMENTS.length)]);
            }
            if (glob.length() == 0 || random.nextInt(5) == 0) {
                glob.append('/');
            }
            String pattern = glob.toString().replace("/**/**", "/**");
            builder.path(pattern);
        }
        if (random.nextInt(3) == 0) {
            builder.methods(METHODS[random.nextInt(METHODS.length)]);
        }
        if (random.nextInt(4) == 0) {
            builder.proxy(PROXIES[random.nextInt(PROXIES.length)]);
        }
        if (random.nextInt(4) == 0) {
            builder.header(random.nextBoolean() ? "X-Tenant" : "x-tenant", "t" + random.nextInt(3));
        }
        if (random.nextInt(3) == 0) {
            builder.target(Target.UPSTREAM);
        }
        return builder.build();
    }

    private static Request randomRequest(SplittableRandom random) {
        StringBuilder path = new StringBuilder();
        int segments = random.nextInt(5);
        for (int i = 0; i < segments; i++) {
            path.append('/').append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
        }
        switch (random.nextInt(6)) {
            case 0 -> path.append('/');
            case 1 -> path.append("?q=1");
            default -> { }
        }
        String p = path.length() == 0 && random.nextBoolean() ? "/" : path.toString();
        Request request = Request.of(METHODS[random.nextInt(METHODS.length)], p).proxy(PROXIES[random.nextInt(PROXIES.length)]);
        return random.nextBoolean() ? request.header("X-Tenant", "t" + random.nextInt(3)) : request;
    }
}
