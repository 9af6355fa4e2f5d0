package io.chaosproxy.junit;

import io.chaosproxy.proxy.config.ResilienceSettings;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Configures the proxy {@link ChaosProxy} starts for a test class, and registers the extension
 * (so {@code @ExtendWith(ChaosProxy.class)} may be left out):
 *
 * <pre>{@code
 * @ChaosProxyConfig(upstream = "${PAYMENTS_URL}", maxAttempts = 1, tryTimeout = "500ms")
 * class CheckoutTest { ... }
 * }</pre>
 *
 * <p>Every text attribute may hold placeholders: {@code ${name}} is a JUnit configuration
 * parameter or system property of that name, else an environment variable; {@code ${name:default}}
 * falls back to the default. An unresolvable placeholder fails the class with a message naming it.
 * Durations are written {@code 250ms}, {@code 2s}, {@code 1m}, or a number of milliseconds.
 *
 * <p>On a {@code @Nested} class it gives that class a proxy of its own; without it, a nested class
 * shares its enclosing class's proxy. For a proxy configured in code, use
 * {@link ChaosProxy#builder()} with {@code @RegisterExtension} instead: not both.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ChaosProxy.class)
public @interface ChaosProxyConfig {

    /** Backend base URLs of the default proxy, round-robin; none means "set at run time with {@code proxy.upstream(...)}". */
    String[] upstream() default {};

    /** Where the default proxy listens, HOST:PORT; port 0 (the default) picks a free port. */
    String listen() default "127.0.0.1:0";

    /** More proxies, each with its own port and backends, for a service with several dependencies. */
    NamedProxy[] proxies() default {};

    /** Attempts per request for idempotent methods, the first included; 1 turns the proxy's retries off. */
    int maxAttempts() default ResilienceSettings.DEFAULT_MAX_ATTEMPTS;

    /** Consecutive failures that open a backend's breaker; 0 turns breakers off. */
    int breakerFailures() default ResilienceSettings.DEFAULT_BREAKER_FAILURES;

    /** How long an open breaker waits before it lets one probe through. */
    String breakerCooldown() default "10s";

    /** How long connecting to a backend may take. */
    String connectTimeout() default "2s";

    /** How long one attempt may take until the backend's response headers arrive. */
    String tryTimeout() default "30s";

    /** {@link #seed()}'s default: no seed given, so a random one (printed, and named when a test fails). */
    long RANDOM_SEED = Long.MIN_VALUE;

    /**
     * The class's seed, {@code seed = 42}: each test draws from its own seed derived from this one
     * and the test's unique id, so a failing test replays alone exactly as it ran in the suite.
     * The system property {@value ChaosProxy#SEED_PROPERTY} overrides it without editing code.
     */
    long seed() default RANDOM_SEED;

    /**
     * The class's seed as text, for a placeholder: {@code seedText = "${CHAOS_SEED:}"}; empty
     * means random. Give {@link #seed()} or this, not both.
     */
    String seedText() default "";

    /**
     * Whether each test starts from a clean slate: faults removed, scenario stopped, journal
     * cleared, breakers closed. Turn it off for tests that build on each other's state.
     */
    boolean resetBeforeEach() default true;

    /**
     * Where the proxy's control API listens, HOST:PORT ({@code 127.0.0.1:0} picks a free port),
     * for what outside the test's JVM should drive or watch it; empty (the default): no control
     * API, as the tests drive the proxy through its {@link ChaosProxy} handle. See
     * {@link ChaosProxy.Builder#control(String)} and {@link ChaosProxy#controlUrl()}.
     */
    String control() default "";

    /** With {@link #control()}: the bearer token every control call but {@code GET /health} needs; empty: none. */
    String controlToken() default "";

    /**
     * When to write a test's timeline report under {@code target/chaos-proxy/}: for failed tests
     * (the default), for every test, or never.
     */
    TimelineReport timelineReport() default TimelineReport.ON_FAILURE;
}
