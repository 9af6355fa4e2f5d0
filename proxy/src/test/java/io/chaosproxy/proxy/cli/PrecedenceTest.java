package io.chaosproxy.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.proxy.config.ConfigFile;
import io.chaosproxy.proxy.config.ResilienceSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PrecedenceTest {
    @Test
    void aFlagTypedOnTheCommandLineWinsOverTheFile() {
        ResilienceSettings settings = resilience("resilience: {maxAttempts: 5, tryTimeout: 3s}\n",
                "--max-attempts", "2", "--breaker-cooldown", "4s");

        assertThat(settings.maxAttempts()).isEqualTo(2);
        assertThat(settings.breakerCooldown()).isEqualTo(Duration.ofSeconds(4));
        assertThat(settings.tryTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aFlagsDefaultNeverOverridesTheFile() {
        ResilienceSettings settings = resilience(
                "resilience: {maxAttempts: 5, breakerFailures: 9, breakerCooldown: 1s, connectTimeout: 1s, tryTimeout: 1s}\n");

        assertThat(settings.maxAttempts()).isEqualTo(5);
        assertThat(settings.breakerFailures()).isEqualTo(9);
        assertThat(settings.breakerCooldown()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.tryTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void withoutAFileEveryFlagAppliesWithItsDefault() {
        ResilienceSettings settings = resilience(null);

        assertThat(settings.maxAttempts()).isEqualTo(3);
        assertThat(settings.breakerFailures()).isEqualTo(5);
        assertThat(settings.breakerCooldown()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.tryTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theUploadBoundsComeFromTheFileOrTheirFlags() {
        ResilienceSettings defaults = resilience(null);
        assertThat(defaults.minUploadRate()).isEqualTo(ResilienceSettings.DEFAULT_MIN_UPLOAD_RATE);
        assertThat(defaults.uploadThreads()).isEqualTo(ResilienceSettings.DEFAULT_UPLOAD_THREADS);

        ResilienceSettings fromFile = resilience("resilience: {minUploadRate: 2048, uploadThreads: 50}\n");
        assertThat(fromFile.minUploadRate()).isEqualTo(2048);
        assertThat(fromFile.uploadThreads()).isEqualTo(50);

        ResilienceSettings typed = resilience("resilience: {minUploadRate: 2048, uploadThreads: 50}\n",
                "--min-upload-rate", "0", "--upload-threads", "10");
        assertThat(typed.minUploadRate()).isZero();
        assertThat(typed.uploadThreads()).isEqualTo(10);

        assertThatThrownBy(() -> resilience(null, "--upload-threads", "-1"))
                .hasMessage("--upload-threads: uploadThreads must be 0-100000, got -1");
    }

    @Test
    void aBadValueIsRefusedNamingTheFlag() {
        assertThatThrownBy(() -> resilience("resilience: {maxAttempts: 5}\n", "--max-attempts", "0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--max-attempts: maxAttempts must be 1-10, got 0");
    }

    private static ResilienceSettings resilience(String yamlOrNull, String... args) {
        CommandLine commandLine = Main.commandLine();
        commandLine.parseArgs(args);
        ConfigFile file = yamlOrNull == null ? null : ConfigFile.parse(yamlOrNull, "chaos.yaml", Path.of("."));
        return new Precedence(Options.of(commandLine.getCommandSpec()), file, name -> commandLine.getParseResult().hasMatchedOption(name)).resilience();
    }
}
