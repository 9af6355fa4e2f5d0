package io.chaosproxy.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs test classes that use the extension on the Jupiter engine, as a user's build would, and
 * reads back what passed, what failed and with which message.
 */
final class EngineRun {
    private static final String MARKER = "chaosproxy.engine-run";

    private EngineRun() {}

    /**
     * Marks a class written to be run by {@link EngineRun} only (some of them fail on purpose):
     * anything else that discovers it, an IDE running the whole package say, skips it.
     */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(OnlyInEngineRun.class)
    @interface Case {}

    static final class OnlyInEngineRun implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(MARKER).isPresent()
                    ? ConditionEvaluationResult.enabled("run by EngineRun")
                    : ConditionEvaluationResult.disabled("a case for EngineRun, not a test of its own");
        }
    }

    static EngineExecutionResults run(Class<?>... classes) {
        return run(Map.of(), classes);
    }

    static EngineExecutionResults run(Map<String, String> parameters, Class<?>... classes) {
        return run(parameters, Arrays.stream(classes).map(type -> selectClass(type)).toArray(DiscoverySelector[]::new));
    }

    /** Runs what the selectors pick, e.g. {@code selectMethod(SomeCase.class, "one")} for one test alone. */
    static EngineExecutionResults run(Map<String, String> parameters, DiscoverySelector... selectors) {
        Map<String, String> all = new HashMap<>(parameters);
        all.put(MARKER, "true");
        return EngineTestKit.engine("junit-jupiter")
                .enableImplicitConfigurationParameters(false)
                .configurationParameters(all)
                .selectors(selectors)
                .execute();
    }

    /** What every failed test and container failed with, in the order they finished. */
    static List<Throwable> failures(EngineExecutionResults results) {
        return results.allEvents().executions().failed().stream()
                .map(execution -> execution.getTerminationInfo().getExecutionResult())
                .map(TestExecutionResult::getThrowable)
                .flatMap(java.util.Optional::stream)
                .toList();
    }

    /** One line per failure, to show in an assertion's message. */
    static String describe(EngineExecutionResults results) {
        StringBuilder text = new StringBuilder();
        for (Throwable failure : failures(results)) {
            text.append('\n').append(failure);
        }
        return text.length() == 0 ? "no failures" : text.toString();
    }
}
