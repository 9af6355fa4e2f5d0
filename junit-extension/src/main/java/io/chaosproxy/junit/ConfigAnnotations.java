package io.chaosproxy.junit;

import io.chaosproxy.faults.Durations;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** Reads {@link ChaosProxyConfig} into a {@link Blueprint}, through the same checks as {@link ChaosProxy.Builder}. */
final class ConfigAnnotations {
    private ConfigAnnotations() {}

    /** The configuration in force for a class: its own, a superclass's, or an enclosing class's. */
    static Optional<ChaosProxyConfig> find(ExtensionContext context) {
        return AnnotationSupport.findAnnotation(context.getRequiredTestClass(), ChaosProxyConfig.class,
                context.getEnclosingTestClasses());
    }

    /** Whether the class itself (or a superclass) carries one, as opposed to an enclosing class. */
    static boolean declaredOn(Class<?> testClass) {
        return AnnotationSupport.isAnnotated(testClass, ChaosProxyConfig.class);
    }

    /** The blueprint the annotation describes; defaults when there is none. */
    static Blueprint blueprint(Optional<ChaosProxyConfig> found, ExtensionContext context) {
        if (found.isEmpty()) {
            return ChaosProxy.builder().blueprint();
        }
        ChaosProxyConfig config = found.get();
        Reader reader = new Reader(context);
        ChaosProxy.Builder builder = ChaosProxy.builder();
        reader.apply("listen", () -> builder.listen(reader.text("listen", config.listen())));
        reader.apply("upstream", () -> builder.upstream(reader.texts("upstream", config.upstream())));
        for (int i = 0; i < config.proxies().length; i++) {
            NamedProxy named = config.proxies()[i];
            String at = "proxies[" + i + "]";
            reader.apply(at, () -> builder.proxy(reader.text(at + ".name", named.name()),
                    reader.texts(at + ".upstream", named.upstream())));
            reader.apply(at + ".listen", () -> builder.listen(named.name(), reader.text(at + ".listen", named.listen())));
        }
        reader.apply("maxAttempts", () -> builder.maxAttempts(config.maxAttempts()));
        reader.apply("breakerFailures", () -> builder.breakerFailures(config.breakerFailures()));
        reader.apply("breakerCooldown", () -> builder.breakerCooldown(Durations.parse(reader.text("breakerCooldown", config.breakerCooldown()))));
        reader.apply("connectTimeout", () -> builder.connectTimeout(Durations.parse(reader.text("connectTimeout", config.connectTimeout()))));
        reader.apply("tryTimeout", () -> builder.tryTimeout(Durations.parse(reader.text("tryTimeout", config.tryTimeout()))));
        reader.apply("seed", () -> {
            String seed = reader.text("seedText", config.seedText()).strip();
            if (!seed.isEmpty() && config.seed() != ChaosProxyConfig.RANDOM_SEED) {
                throw new IllegalArgumentException("give seed or seedText, not both");
            }
            if (config.seed() != ChaosProxyConfig.RANDOM_SEED) {
                builder.seed(config.seed());
            } else if (!seed.isEmpty()) {
                try {
                    builder.seed(Long.parseLong(seed));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("seedText must be a whole number, got '" + seed + "'");
                }
            }
        });
        reader.apply("control", () -> {
            String control = reader.text("control", config.control()).strip();
            String token = reader.text("controlToken", config.controlToken()).strip();
            if (control.isEmpty() && !token.isEmpty()) {
                throw new IllegalArgumentException("controlToken is given without control: there is no control API to protect");
            }
            if (!control.isEmpty()) {
                builder.control(control);
                builder.controlToken(token.isEmpty() ? null : token);
            }
        });
        builder.resetBeforeEach(config.resetBeforeEach());
        builder.timelineReport(config.timelineReport());
        return builder.blueprint();
    }

    /**
     * What a placeholder's name stands for: a JUnit configuration parameter or system property
     * (JUnit looks at both), else an environment variable.
     */
    static Optional<String> lookup(ExtensionContext context, String name) {
        return context.getConfigurationParameter(name).or(() -> Optional.ofNullable(System.getenv(name)));
    }

    /** Resolves placeholders and turns any refusal into a message naming the class and the attribute. */
    private static final class Reader {
        private final ExtensionContext context;
        private final Function<String, Optional<String>> lookup;

        Reader(ExtensionContext context) {
            this.context = context;
            this.lookup = name -> lookup(context, name);
        }

        String text(String attribute, String value) {
            try {
                return Placeholders.resolve(value, lookup);
            } catch (IllegalArgumentException e) {
                throw failure(attribute, e);
            }
        }

        String[] texts(String attribute, String[] values) {
            String[] resolved = new String[values.length];
            for (int i = 0; i < values.length; i++) {
                resolved[i] = text(values.length == 1 ? attribute : attribute + "[" + i + "]", values[i]);
            }
            return resolved;
        }

        void apply(String attribute, Runnable setting) {
            try {
                setting.run();
            } catch (IllegalArgumentException e) {
                throw failure(attribute, e);
            }
        }

        private ExtensionConfigurationException failure(String attribute, IllegalArgumentException e) {
            return new ExtensionConfigurationException("@ChaosProxyConfig on " + context.getRequiredTestClass().getName()
                    + ": " + attribute + ": " + e.getMessage(), e);
        }
    }
}
