package io.chaosproxy.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.chaosproxy.proxy.config.ConfigException;
import io.chaosproxy.proxy.config.ConfigFile;
import java.nio.file.Path;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One field reader: a bad value gets the same words in a config file as over the control API. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SameFieldErrorsTest {
    @RegisterExtension
    static final ControlFixture fixture = ControlFixture.perClass();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1.5", "\"3\"", "true", "[1]", "{}"})
    void aBadWholeNumberReadsTheSameInAConfigFileAndInPostFaults(String value) {
        String inConfig = configError("journalCapacity: " + value + "\n");
        ControlFixture.Reply overApi = fixture.post("/faults", "{\"type\": \"hang\", \"times\": " + value + "}");

        assertThat(overApi.status()).isEqualTo(400);
        assertThat(overApi.json().get("field").asText()).isEqualTo("times");
        assertThat(afterField(inConfig, "chaos.yaml: journalCapacity"))
                .isEqualTo(afterField(overApi.json().get("error").asText(), "times"))
                .startsWith(" must be");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"5", "true", "[\"a\"]"})
    void aBadStringReadsTheSameInAConfigFileAndInPostProxies(String value) {
        String inConfig = configError("proxies:\n  - {name: a, listen: " + value + "}\n");
        ControlFixture.Reply overApi = fixture.post("/proxies", "{\"name\": \"a\", \"listen\": " + value + "}");

        assertThat(overApi.status()).isEqualTo(400);
        assertThat(overApi.json().get("field").asText()).isEqualTo("listen");
        assertThat(afterField(inConfig, "chaos.yaml: proxies[0].listen"))
                .isEqualTo(afterField(overApi.json().get("error").asText(), "listen"))
                .isEqualTo(" must be a string");
    }

    private static String configError(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFile.parse(yaml, "chaos.yaml", Path.of(".")));
        assertThat(e).as(yaml).isNotNull();
        return e.getMessage();
    }

    private static String afterField(String message, String field) {
        assertThat(message).startsWith(field);
        return message.substring(field.length());
    }
}
