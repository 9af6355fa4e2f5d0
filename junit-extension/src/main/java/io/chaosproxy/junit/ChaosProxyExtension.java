package io.chaosproxy.junit;

import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.faults.ScenarioParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit callbacks of one registered {@link ChaosProxy}: which proxy serves which test context,
 * starting and stopping it with the context, the reset before each test, {@link ChaosScenario}, and
 * parameter resolution. {@code ChaosProxy} implements JUnit's extension interfaces (so it can be
 * registered) and hands every callback to this class.
 */
final class ChaosProxyExtension {

    private static final Namespace NAMESPACE = Namespace.create(ChaosProxy.class);
    private static final String BINDING = "binding";
    private static final String SCENARIO_STARTED = "scenario-started";
    private static final String TEST_SEED = "test-seed";

    private static final String PARALLEL_ENABLED = "junit.jupiter.execution.parallel.enabled";

    /** The registered extension these callbacks belong to. */
    private final ChaosProxy owner;

    ChaosProxyExtension(ChaosProxy owner) {
        this.owner = owner;
    }

    /** Starts the class's proxy, or finds the enclosing class's. */
    void beforeAll(ExtensionContext context) {
        bind(context);
    }

    /** Resets the proxy that serves this test (or, for an instance field, starts this test's own). */
    void beforeEach(ExtensionContext context) {
        Binding binding = bind(context);
        if (binding == null) {
            return;
        }
        if (binding.resetBeforeEach()) {
            refuseConcurrentSharing(context, binding);
            ChaosProxy handle = binding.handle();
            TestSeed seed = new TestSeed(handle.startTest(context.getUniqueId()), handle.classSeed());
            context.getStore(NAMESPACE).put(TEST_SEED, seed);
            context.publishReportEntry("chaos-proxy seed", seed.describe());
        }
    }

    /**
     * The failure of a test that ran with its own seed, with that seed and how to replay it in its
     * message; an {@link AssertionError} keeps its type, expected and actual values and stack trace,
     * any other failure gets the hint as a suppressed exception. The hint is logged too.
     */
    Throwable withReplayHint(ExtensionContext context, Throwable failure) {
        TestSeed seed = serving(context) == null ? null : context.getStore(NAMESPACE).get(TEST_SEED, TestSeed.class);
        if (seed == null) {
            return failure;
        }
        String hint = seed.replayHint();
        // Looked up only now: the JDK's logging costs a cold test JVM dozens of classes at start.
        System.getLogger(ChaosProxy.class.getName()).log(System.Logger.Level.WARNING, context.getDisplayName() + " failed; " + hint);
        return ReplayHint.attach(failure, hint);
    }

    void beforeTestExecution(ExtensionContext context) {
        Binding binding = serving(context);
        if (binding == null) {
            return;
        }
        TimelineReports.testStarts(context); // before the scenario, so its first phase is on the timeline
        Optional<ChaosScenario> scenario = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), ChaosScenario.class)
                .or(() -> AnnotationSupport.findAnnotation(context.getRequiredTestClass(), ChaosScenario.class,
                        context.getEnclosingTestClasses()));
        if (scenario.isPresent()) {
            runScenario(scenario.get(), binding.handle(), context);
            context.getStore(NAMESPACE).put(SCENARIO_STARTED, Boolean.TRUE);
        }
    }

    void afterTestExecution(ExtensionContext context) {
        Binding binding = serving(context);
        if (binding != null) {
            TestSeed seed = context.getStore(NAMESPACE).get(TEST_SEED, TestSeed.class);
            TimelineReports.testEnded(context, binding.handle(), seed == null ? null : seed.replayHint());
        }
        if (binding != null && context.getStore(NAMESPACE).remove(SCENARIO_STARTED) != null) {
            binding.handle().stopScenario();
        }
    }

    /** Exactly {@code ChaosProxy}, and only from the extension whose proxy serves this context. */
    boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
        if (parameterContext.getParameter().getType() != ChaosProxy.class) {
            return false;
        }
        Binding nearest = context.getStore(NAMESPACE).get(BINDING, Binding.class);
        // None yet: a constructor of a PER_CLASS test instance runs before beforeAll.
        return nearest == null || nearest.owner() == owner;
    }

    ChaosProxy resolveParameter(ExtensionContext context) {
        Binding binding = bind(context);
        if (binding == null) {
            throw new ExtensionConfigurationException("no ChaosProxy serves " + context.getDisplayName());
        }
        return binding.handle();
    }

    // ---- which proxy serves which context ----

    /**
     * The proxy that serves {@code context}, stored in that context (or an enclosing one) so JUnit
     * closes it when the context ends, even when a test failed. Started here when this extension has
     * none in reach yet (or a nested class asks for its own); null when another ChaosProxy serves
     * the context.
     */
    private Binding bind(ExtensionContext context) {
        Store store = context.getStore(NAMESPACE);
        Binding nearest = store.get(BINDING, Binding.class);
        Binding own = ownBinding(context);
        if (!needsOwn(context, own)) {
            return nearest != null && nearest.owner() == owner ? nearest : null;
        }
        if (nearest != null && nearest.owner() != owner && (isLocal(nearest, context) || isParentOf(nearest, context))) {
            throw registeredTwice(context);
        }
        Binding created = start(context);
        store.put(BINDING, created);
        return created;
    }

    /**
     * A handle needs starting when it serves nothing in reach; the {@code @ExtendWith} instance also
     * starts a new proxy for a nested class that carries its own {@link ChaosProxyConfig}.
     */
    private boolean needsOwn(ExtensionContext context, Binding own) {
        if (own == null) {
            return true;
        }
        boolean classContext = context.getTestMethod().isEmpty();
        return owner.isExtendWithInstance() && classContext && !isLocal(own, context)
                && ConfigAnnotations.declaredOn(context.getRequiredTestClass());
    }

    /** The binding this extension made nearest to {@code context}, in it or an enclosing context. */
    private Binding ownBinding(ExtensionContext context) {
        for (ExtensionContext at = context; at != null; at = at.getParent().orElse(null)) {
            Binding found = at.getStore(NAMESPACE).get(BINDING, Binding.class);
            if (found != null && found.owner() == owner && isLocal(found, at)) {
                return found;
            }
        }
        return null;
    }

    /** The binding serving a test, if this extension made it. */
    private Binding serving(ExtensionContext context) {
        Binding nearest = context.getStore(NAMESPACE).get(BINDING, Binding.class);
        return nearest != null && nearest.owner() == owner ? nearest : null;
    }

    private Binding start(ExtensionContext context) {
        ChaosProxy handle = owner.isExtendWithInstance()
                ? ChaosProxy.inProcess(ConfigAnnotations.blueprint(ConfigAnnotations.find(context), context))
                : owner;
        handle.open(describe(context), seedOverride(context));
        context.publishReportEntry("chaos-proxy class seed", Long.toString(handle.classSeed()));
        return new Binding(owner, handle, context.getUniqueId(), handle.resetsBeforeEach());
    }

    /**
     * Tests that run at the same time must not share a proxy that is reset before each of them: one
     * would wipe the other's faults and journal mid-test. Say so rather than let them flake.
     */
    private static void refuseConcurrentSharing(ExtensionContext context, Binding binding) {
        boolean parallel = context.getConfigurationParameter(PARALLEL_ENABLED).map(Boolean::parseBoolean).orElse(false);
        if (parallel && !isLocal(binding, context) && context.getExecutionMode() == ExecutionMode.CONCURRENT) {
            throw new ExtensionConfigurationException("the tests of " + context.getRequiredTestClass().getName()
                    + " run concurrently but share one chaos proxy, which is reset before each test: one test would"
                    + " remove another's faults mid-test. Annotate the class with @Execution(ExecutionMode.SAME_THREAD),"
                    + " give each test its own proxy (a non-static @RegisterExtension field), or set"
                    + " @ChaosProxyConfig(resetBeforeEach = false)");
        }
    }

    private static ExtensionConfigurationException registeredTwice(ExtensionContext context) {
        return new ExtensionConfigurationException("ChaosProxy is registered twice on " + context.getRequiredTestClass().getName()
                + ": by @ExtendWith(ChaosProxy.class) or @ChaosProxyConfig, and by a @RegisterExtension field."
                + " Configure the proxy one way: the annotations, or ChaosProxy.builder()");
    }

    /** The {@value ChaosProxy#SEED_PROPERTY} property or configuration parameter, when set. */
    private static Long seedOverride(ExtensionContext context) {
        Optional<String> given = context.getConfigurationParameter(ChaosProxy.SEED_PROPERTY).map(String::strip)
                .filter(value -> !value.isEmpty());
        if (given.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(given.get());
        } catch (NumberFormatException e) {
            throw new ExtensionConfigurationException(ChaosProxy.SEED_PROPERTY + " must be a whole number, got '"
                    + given.get() + "'", e);
        }
    }

    private static boolean isLocal(Binding binding, ExtensionContext context) {
        return binding.contextId().equals(context.getUniqueId());
    }

    private static boolean isParentOf(Binding binding, ExtensionContext context) {
        return context.getTestMethod().isPresent()
                && context.getParent().map(parent -> isLocal(binding, parent)).orElse(false);
    }

    private static String describe(ExtensionContext context) {
        return context.getTestMethod()
                .map(method -> context.getRequiredTestClass().getName() + "." + method.getName() + "()")
                .orElse(context.getRequiredTestClass().getName());
    }

    private static void runScenario(ChaosScenario annotation, ChaosProxy handle, ExtensionContext context) {
        String where = "@ChaosScenario on " + describe(context);
        boolean byName = !annotation.value().isBlank();
        boolean byFile = !annotation.file().isBlank();
        if (byName == byFile) {
            throw new ExtensionConfigurationException(where + ": give either a built-in name (value) or a file, not "
                    + (byName ? "both" : "neither"));
        }
        try {
            if (byName) {
                handle.startScenario(annotation.value().strip());
            } else {
                handle.control().startScenario(readScenario(annotation.file().strip(), where));
            }
        } catch (FaultSpecException e) {
            throw new ExtensionConfigurationException(where + ": " + e.getMessage(), e);
        }
    }

    /** A file path relative to the working directory, or else a classpath resource. */
    private static Scenario readScenario(String file, String where) {
        Path path = Path.of(file);
        if (Files.isRegularFile(path)) {
            return ScenarioParser.parse(path);
        }
        String resource = file.startsWith("/") ? file.substring(1) : file;
        ClassLoader loader = Optional.ofNullable(Thread.currentThread().getContextClassLoader())
                .orElse(ChaosProxy.class.getClassLoader());
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ExtensionConfigurationException(where + ": no scenario file " + path.toAbsolutePath()
                        + " and no classpath resource " + resource);
            }
            return ScenarioParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), file);
        } catch (IOException e) {
            throw new ExtensionConfigurationException(where + ": cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    /** The seed a test ran with, and the class's seed it was derived from. */
    private record TestSeed(long seed, long classSeed) {
        String describe() {
            return seed + " (derived from the class seed " + classSeed + " and the test's unique id)";
        }

        String replayHint() {
            String literal = classSeed == (int) classSeed ? Long.toString(classSeed) : classSeed + "L";
            return "chaos-proxy: this test ran with seed " + describe() + "; replay it alone with"
                    + " @ChaosProxyConfig(seed = " + literal + "), ChaosProxy.builder().seed(" + literal + ")"
                    + " or -D" + ChaosProxy.SEED_PROPERTY + "=" + classSeed;
        }
    }

    /**
     * Which proxy serves a test context, and the extension that made it; closing it (JUnit does,
     * when the context ends) stops the proxy.
     */
    private record Binding(ChaosProxy owner, ChaosProxy handle, String contextId, boolean resetBeforeEach)
            implements AutoCloseable {
        @Override
        public void close() {
            handle.close();
        }
    }
}
