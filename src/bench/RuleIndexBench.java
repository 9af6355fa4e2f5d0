// What fault rules that do not match a request cost its decision: FaultEngine.decide() against
// 1,000 (FaultEngine.MAX_RULES) rules of several shapes that all miss, and with one rule that fires.
//
//   mvn -B -q -o -pl fault-scenarios -am compile
//   java -cp fault-scenarios/target/classes src/bench/RuleIndexBench.java [ROUNDS]
//
// Each shape: 20,000 warm-up decisions, then ROUNDS (default 7) rounds of 50,000; the whole set
// twice, the second pass reported (decide() compiled against every shape by then): the median
// microseconds per decision, one line per shape, and `RESULT shape=us ...` for scripts.
// No network, no threads: the engine alone.

import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.RequestFacts;
import io.chaosproxy.faults.Target;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

public class RuleIndexBench {
    record Facts(String proxy, String method, String path, Map<String, String> headers) implements RequestFacts {
        @Override
        public String header(String name) {
            return headers.get(name);
        }
    }

    static volatile Object sink;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Facts get = new Facts("default", "GET", "/api/orders/42", Map.of());
        Map<String, IntFunction<FaultRule>> shapes = new LinkedHashMap<>();
        shapes.put("other-first-segment", i -> FaultRule.builder(new Latency(1, 0)).path("/area/" + i + "/**").build());
        shapes.put("same-first-segment", i -> FaultRule.builder(new Latency(1, 0)).path("/api/v" + i + "/**").build());
        shapes.put("other-method", i -> FaultRule.builder(new Latency(1, 0)).methods("DELETE").path("/api/**").build());
        shapes.put("other-proxy", i -> FaultRule.builder(new Latency(1, 0)).proxy("other-" + i).build());
        shapes.put("upstream-target", i -> FaultRule.builder(new Latency(1, 0)).target(Target.UPSTREAM).build());
        shapes.put("other-header", i -> FaultRule.builder(new Latency(1, 0)).header("X-Tenant", "t" + i).build());
        Map<String, Double> results = new LinkedHashMap<>();
        // two passes, the second reported: decide() compiled against every shape first
        for (int pass = 0; pass < 2; pass++) {
            for (var shape : shapes.entrySet()) {
                results.put(shape.getKey(), measure(shape.getValue(), null, get, rounds));
            }
            // one rule that fires (an error), placed after the 999 that miss
            results.put("999-miss-1-fires", measure(shapes.get("same-first-segment"),
                    FaultRule.builder(new ErrorResponse(503)).path("/api/orders/**").build(), get, rounds));
        }
        StringBuilder line = new StringBuilder("RESULT");
        results.forEach((shape, micros) -> {
            System.out.printf("%-22s %8.2f us per decision%n", shape, micros);
            line.append(' ').append(shape).append('=').append(String.format("%.2f", micros));
        });
        System.out.println(line);
    }

    private static double measure(IntFunction<FaultRule> shape, FaultRule last, Facts request, int rounds) {
        FaultEngine engine = new FaultEngine(1, Clock.systemUTC());
        List<FaultRule> rules = new ArrayList<>();
        int misses = last == null ? FaultEngine.MAX_RULES : FaultEngine.MAX_RULES - 1;
        for (int i = 0; i < misses; i++) {
            rules.add(shape.apply(i));
        }
        if (last != null) {
            rules.add(last);
        }
        engine.installAll(rules, "bench");
        for (int i = 0; i < 20_000; i++) {
            sink = engine.decide(request, Target.CLIENT);
        }
        double[] micros = new double[rounds];
        int decisions = 50_000;
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            for (int i = 0; i < decisions; i++) {
                sink = engine.decide(request, Target.CLIENT);
            }
            micros[r] = (System.nanoTime() - start) / 1_000.0 / decisions;
        }
        Arrays.sort(micros);
        return micros[rounds / 2];
    }
}
