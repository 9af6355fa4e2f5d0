package io.chaosproxy.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

class PlaceholdersTest {
    Optional<String> fromEnvironment;
    Optional<String> fromSystemProperty;

    @RegisterExtension
    final BeforeEachCallback lookUp = context -> {
        System.setProperty("chaosproxy.test.property", "from a system property");
        fromEnvironment = ConfigAnnotations.lookup(context, "PATH");
        fromSystemProperty = ConfigAnnotations.lookup(context, "chaosproxy.test.property");
        System.clearProperty("chaosproxy.test.property");
    };

    private static final Function<String, Optional<String>> LOOKUP =
            name -> Optional.ofNullable(Map.of("PAYMENTS_URL", "http://127.0.0.1:9000", "port", "0").get(name));

    @Test
    void replacesEveryPlaceholder() {
        assertThat(Placeholders.resolve("${PAYMENTS_URL}", LOOKUP)).isEqualTo("http://127.0.0.1:9000");
        assertThat(Placeholders.resolve("127.0.0.1:${port}", LOOKUP)).isEqualTo("127.0.0.1:0");
        assertThat(Placeholders.resolve("${port}-${port}", LOOKUP)).isEqualTo("0-0");
        assertThat(Placeholders.resolve("no placeholders", LOOKUP)).isEqualTo("no placeholders");
    }

    @Test
    void aDefaultCoversAMissingName() {
        assertThat(Placeholders.resolve("${SEED:}", LOOKUP)).isEmpty();
        assertThat(Placeholders.resolve("${HOST:localhost}:8080", LOOKUP)).isEqualTo("localhost:8080");
        assertThat(Placeholders.resolve("${port:9}", LOOKUP)).isEqualTo("0");
    }

    @Test
    void namesAreLookedUpInSystemPropertiesAndTheEnvironment() {
        assertThat(fromSystemProperty).contains("from a system property");
        assertThat(fromEnvironment).isEqualTo(Optional.ofNullable(System.getenv("PATH")));
    }

    @Test
    void anUnresolvablePlaceholderIsNamed() {
        assertThatThrownBy(() -> Placeholders.resolve("${ORDERS_URL}/v1", LOOKUP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("placeholder ${ORDERS_URL} in \"${ORDERS_URL}/v1\" is neither a system property");
        assertThatThrownBy(() -> Placeholders.resolve("${ORDERS_URL", LOOKUP))
                .hasMessageContaining("without its closing '}'");
    }
}
