package io.chaosproxy.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.tracing.AccessLog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The options as declared in code: each reads back as typed, or as its default when not typed. */
class OptionsTest {
    @Test
    void withNothingTypedEveryOptionReadsBackAsItsDefault() {
        Options options = parse();

        assertThat(options.listen()).isEqualTo(HostPort.parse("127.0.0.1:8080"));
        assertThat(options.control()).isEqualTo(HostPort.parse("127.0.0.1:8474"));
        assertThat(options.upstreams()).isEmpty();
        assertThat(options.tcpProxies()).isEmpty();
        assertThat(options.controlToken()).isNull();
        assertThat(options.seed()).isNull();
        assertThat(options.upstreamInsecure()).isFalse();
        assertThat(options.logFormat()).isEqualTo(AccessLog.Format.TEXT);
        assertThat(options.maxAttempts()).isEqualTo(3);
        assertThat(options.breakerCooldown()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.minUploadRate()).isEqualTo(512);
        assertThat(options.uploadThreads()).isEqualTo(200);
        assertThat(options.portFile()).isNull();
    }

    @Test
    void typedValuesReadBackInTheirTypesAndRepeatedOnesInOrder() {
        Options options = parse("--upstream", "http://127.0.0.1:9001", "--upstream", "http://127.0.0.1:9002",
                "--tcp", "db=127.0.0.1:5432", "--tcp", "cache=127.0.0.1:6379@127.0.0.1:0",
                "--log-format", "Json", "--seed", "-5", "--upstream-insecure", "--try-timeout", "5s",
                "--min-upload-rate", "0", "--port-file", "ports.json", "--control-token", "t0ken");

        assertThat(options.upstreams()).containsExactly(URI.create("http://127.0.0.1:9001"), URI.create("http://127.0.0.1:9002"));
        assertThat(options.tcpProxies()).extracting(proxy -> proxy.name()).containsExactly("db", "cache");
        assertThat(options.logFormat()).isEqualTo(AccessLog.Format.JSON);
        assertThat(options.seed()).isEqualTo(-5L);
        assertThat(options.upstreamInsecure()).isTrue();
        assertThat(options.tryTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.minUploadRate()).isZero();
        assertThat(options.portFile()).isEqualTo(Path.of("ports.json"));
        assertThat(options.controlToken()).isEqualTo("t0ken");
    }

    @Test
    void everyDeclaredOptionIsReadBackAndListedInHelpInDeclarationOrder() {
        CommandLine commandLine = Main.commandLine();
        List<String> declared = new ArrayList<>();
        for (OptionSpec option : commandLine.getCommandSpec().options()) {
            declared.add(option.longestName());
        }
        // one record component per option, --help and --version aside
        assertThat(Options.class.getRecordComponents()).hasSize(declared.size() - 2);

        String usage = commandLine.getUsageMessage(CommandLine.Help.Ansi.OFF);
        String optionsPart = usage.substring(usage.indexOf("box.")); // after the description
        int previous = -1;
        for (String name : declared) {
            Matcher listed = Pattern.compile(Pattern.quote(name) + "(?![\\w-])").matcher(optionsPart); // not --upstream in --upstream-ca
            assertThat(listed.find()).as(name + " listed").isTrue();
            assertThat(listed.start()).as(name + " after the option before it").isGreaterThan(previous);
            previous = listed.start();
        }
    }

    @Test
    void theControlTokenNeverAppearsInTheOptionsAsText() {
        Options options = parse("--control-token", "s3cret-token");

        assertThat(options.toString()).doesNotContain("s3cret-token").contains("controlToken=(set)").contains("listen=127.0.0.1:8080");
    }

    private static Options parse(String... args) {
        CommandLine commandLine = Main.commandLine();
        commandLine.parseArgs(args);
        return Options.of(commandLine.getCommandSpec());
    }
}
