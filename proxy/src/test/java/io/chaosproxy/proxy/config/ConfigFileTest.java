package io.chaosproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultType;
import io.chaosproxy.faults.Latency;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void readsEverySectionOfAYamlFile() throws Exception {
        ConfigFile config = read("chaos.yaml", """
                proxies:
                  - name: default
                    listen: 127.0.0.1:8080
                    upstreams: [http://127.0.0.1:9000]
                  - name: payments
                    listen: 127.0.0.1:8081
                    upstreams: [http://127.0.0.1:9001/api, "http://127.0.0.1:9002/api"]
                resilience:
                  maxAttempts: 2
                  retryOnStatus: [503]
                  backoffBase: 10ms
                  backoffCap: 1s
                  breakerFailures: 0
                  breakerCooldown: 2s
                  connectTimeout: 500
                  retryWithIdempotencyKey: true
                  retryBudgetRatio: 0.5
                faults:
                  - {type: latency, delayMs: 200, match: {path: /orders/**}}
                  - type: error
                    status: 503
                    proxy: payments
                scenario: outage-then-recovery
                seed: 42
                journalCapacity: 500
                """);

        assertThat(config.proxies()).containsExactly(
                new ProxySpec("default", HostPort.parse("127.0.0.1:8080"), List.of(URI.create("http://127.0.0.1:9000"))),
                new ProxySpec("payments", HostPort.parse("127.0.0.1:8081"),
                        List.of(URI.create("http://127.0.0.1:9001/api"), URI.create("http://127.0.0.1:9002/api"))));
        ResilienceSettings resilience = config.resilience();
        assertThat(resilience.maxAttempts()).isEqualTo(2);
        assertThat(resilience.retryOnStatus()).isEqualTo(Set.of(503));
        assertThat(resilience.backoffBase()).isEqualTo(Duration.ofMillis(10));
        assertThat(resilience.backoffCap()).isEqualTo(Duration.ofSeconds(1));
        assertThat(resilience.breakerFailures()).isZero();
        assertThat(resilience.breakerCooldown()).isEqualTo(Duration.ofSeconds(2));
        assertThat(resilience.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(resilience.retryWithIdempotencyKey()).isTrue();
        assertThat(resilience.retryBudgetRatio()).isEqualTo(0.5);
        assertThat(resilience.tryTimeout()).isEqualTo(ResilienceSettings.DEFAULT_TRY_TIMEOUT);
        assertThat(config.faults()).hasSize(2);
        assertThat(config.faults().get(0).fault()).isEqualTo(new Latency(200, 0));
        assertThat(config.faults().get(1).fault()).isInstanceOf(ErrorResponse.class);
        assertThat(config.faults().get(1).proxy()).isEqualTo("payments");
        assertThat(config.scenario().name()).isEqualTo("outage-then-recovery");
        assertThat(config.seed()).isEqualTo(42L);
        assertThat(config.journalCapacity()).isEqualTo(500);
    }

    @Test
    void readsJson() throws Exception {
        ConfigFile config = read("chaos.json", """
                {"proxies": [{"name": "default", "listen": "127.0.0.1:0", "upstreams": ["http://h:1/"]}],
                 "faults": [{"type": "hang"}], "seed": -7}
                """);

        assertThat(config.proxies()).hasSize(1);
        assertThat(config.faults().get(0).type()).isEqualTo(FaultType.HANG);
        assertThat(config.seed()).isEqualTo(-7L);
        assertThat(config.resilience()).isNull();
        assertThat(config.scenario()).isNull();
        assertThat(config.journalCapacity()).isNull();
    }

    @Test
    void jsonContentIsRecognisedWithoutAnExtension() throws Exception {
        assertThat(read("chaos", "{\"seed\": 1}").seed()).isEqualTo(1L);
        assertThat(read("chaos.conf", "seed: 2\n").seed()).isEqualTo(2L);
    }

    @Test
    void emptyFileConfiguresNothing() throws Exception {
        ConfigFile config = read("empty.yaml", "# nothing yet\n");

        assertThat(config.proxies()).isEmpty();
        assertThat(config.faults()).isEmpty();
        assertThat(config.resilience()).isNull();
    }

    @Test
    void scenarioMayBeInlineOrAFileNextToTheConfig() throws Exception {
        Files.writeString(dir.resolve("mine.yaml"), "name: mine\nphases:\n  - duration: 2s\n    faults: []\n");

        assertThat(read("a.yaml", "scenario: mine.yaml\n").scenario().name()).isEqualTo("mine");
        assertThat(read("b.yaml", """
                scenario:
                  name: inline
                  phases:
                    - duration: 1s
                      faults: [{type: error, status: 503}]
                """).scenario().phases()).hasSize(1);
    }

    @Test
    void errorsNameTheFileTheFieldAndTheReason() {
        assertError("resilience:\n  maxAttempts: 0\n", "resilience.maxAttempts",
                "chaos.yaml: resilience.maxAttempts must be 1-10, got 0");
        assertError("faults:\n  - {type: latency}\n  - {type: error, status: 200}\n", "faults[1].status",
                "chaos.yaml: faults[1].status");
        assertError("proxies:\n  - {name: a, listen: 127.0.0.1:1}\n  - {name: a, listen: 127.0.0.1:2}\n",
                "proxies[1].name", "already used by proxies[0]");
        assertError("proxies:\n  - {name: a, listen: 127.0.0.1:1}\n  - {name: b, listen: 127.0.0.1:1}\n",
                "proxies[1].listen", "already used by proxies[0]");
        assertError("proxies:\n  - {name: a, listen: nowhere}\n", "proxies[0].listen", "HOST:PORT");
        assertError("proxies:\n  - {name: a}\n", "proxies[0].listen", "proxies[0].listen is required");
        assertError("proxies:\n  - {name: a, listen: 127.0.0.1:1, upstreams: [ftp://x/]}\n",
                "proxies[0].upstreams[0]", "http://");
        assertError("proxies:\n  - {name: 'a b', listen: 127.0.0.1:1}\n", "proxies[0].name", "proxy name");
        assertError("resilience:\n  tryTimeout: soon\n", "resilience.tryTimeout", "250ms");
        assertError("resilience:\n  retryOnStatus: [200]\n", "resilience.retryOnStatus", "retryOnStatus may hold");
        assertError("resilience:\n  backoffBase: 1s\n", "resilience.backoffCap", "must be >= backoffBase");
        assertError("resilience:\n  maxAttempts: three\n", "resilience.maxAttempts", "whole number");
        assertError("resilience:\n  maxAtempts: 3\n", "resilience.maxAtempts", "did you mean \"resilience.maxAttempts\"");
        assertError("proxy: []\n", "proxy", "did you mean \"proxies\"");
        assertError("journalCapacity: 0\n", "journalCapacity", "journalCapacity must be 1-1000000, got 0");
        assertError("seed: 1.5\n", "seed", "whole number");
        assertError("seed: 99999999999999999999999\n", "seed", "64-bit");
        assertError("scenario: meteor\n", "scenario", "outage-then-recovery");
        assertError("scenario: {name: x, phases: [{duration: 0s, faults: []}]}\n", "scenario.phases[0].duration", "duration");
        assertError("faults:\n  - {type: error, proxy: ghost}\n", "faults[0].proxy", "ghost");
        assertError("- 1\n- 2\n", null, "must be a mapping");
        assertError("seed: 1\nseed: 2\n", null, "seed");
    }

    @Test
    void aRuleMustFitTheProxyItNames() {
        String proxies = """
                proxies:
                  - name: db
                    protocol: tcp
                    listen: 127.0.0.1:0
                    upstreams: [tcp://127.0.0.1:5432]
                """;
        assertError(proxies + "faults:\n  - {type: hang, proxy: dbb}\n", "faults[0].proxy",
                "faults[0].proxy \"dbb\" names no proxy; proxies: default, db");
        assertError(proxies + "faults:\n  - {type: latency, proxy: db, match: {path: /x}}\n", "faults[0].match",
                "faults[0].match does not apply to TCP proxy 'db'");
        assertError(proxies + "faults:\n  - {type: error, status: 503, proxy: db}\n", "faults[0].type",
                "faults[0].type error does not apply to TCP proxy 'db'");
        assertError(proxies + "scenario:\n  name: s\n  phases:\n    - duration: 1s\n      faults: [{type: error, status: 503, proxy: db}]\n",
                "scenario.phases[0].faults[0].type", "does not apply to TCP proxy 'db'");
    }

    @Test
    void malformedYamlIsReportedWithLineAndColumn() {
        assertError("proxies:\n  - name: a\n    listen: x: y\n", null, "chaos.yaml: line 3, column");
    }

    @Test
    void malformedJsonIsReportedWithLineAndColumn() throws Exception {
        Path file = dir.resolve("chaos.json");
        Files.writeString(file, "{\n  \"seed\": ,\n}");

        assertThatThrownBy(() -> ConfigFile.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": line 2, column");
    }

    @Test
    void missingFileIsAConfigException() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigFile.read(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nope.yaml")
                .hasMessageContaining("cannot read");
    }

    private ConfigFile read(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return ConfigFile.read(file);
    }

    /** Errors are checked on a file named chaos.yaml given relative to nothing: its message starts "chaos.yaml: ". */
    private void assertError(String yaml, String field, String messagePart) {
        assertThatThrownBy(() -> ConfigFile.parse(yaml, "chaos.yaml", dir))
                .as(yaml)
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.getMessage()).as(yaml).startsWith("chaos.yaml: ").contains(messagePart);
                    assertThat(e.field()).as(yaml).isEqualTo(field);
                    assertThat(e.file()).isEqualTo("chaos.yaml");
                });
    }
}
