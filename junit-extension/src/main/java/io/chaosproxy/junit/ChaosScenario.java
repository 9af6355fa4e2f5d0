package io.chaosproxy.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a scenario during a test: started just before the test method's body (after its
 * {@code @BeforeEach} methods), stopped, with its faults, right after. On a class, it applies to
 * every test of the class; a test method's own annotation wins.
 *
 * <pre>{@code
 * @Test @ChaosScenario("outage-then-recovery")
 * void recoversAfterTheOutage(ChaosProxy proxy) { ... }
 *
 * @Test @ChaosScenario(file = "src/test/resources/scenarios/flaky-payments.yaml")
 * void survivesFlakyPayments() { ... }
 * }</pre>
 *
 * An unknown name fails the test with the list of built-in names. Needs a {@link ChaosProxy}
 * registered on the class.
 */
@Target({ElementType.METHOD, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface ChaosScenario {

    /** A built-in scenario: flaky, slow, outage, outage-then-recovery, brownout, slow-body, black-hole, ... */
    String value() default "";

    /**
     * A scenario document (YAML or JSON): a file path, relative to the working directory (the
     * module's directory under Maven), or else a classpath resource.
     */
    String file() default "";
}
