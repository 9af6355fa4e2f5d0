package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Valid input: what each field means and what it defaults to. */
class FaultRuleParserTest {

    @Test
    void onlyTypeIsRequiredAndEveryCommonFieldHasItsDefault() {
        FaultRule rule = FaultRuleParser.parse("{\"type\": \"hang\"}");

        assertThat(rule.id()).isNull();
        assertThat(rule.name()).isNull();
        assertThat(rule.proxy()).isNull();
        assertThat(rule.match()).isEqualTo(Match.ANY);
        assertThat(rule.probability()).isEqualTo(1.0);
        assertThat(rule.times()).isNull();
        assertThat(rule.after()).isZero();
        assertThat(rule.durationMs()).isNull();
        assertThat(rule.target()).isEqualTo(Target.CLIENT);
        assertThat(rule.ratePerSecond()).isNull();
        assertThat(rule.fault()).isEqualTo(new Hang());
    }

    @Test
    void eachKindHasDefaults() {
        assertThat(FaultRuleParser.parse("{\"type\": \"latency\"}").fault())
                .isEqualTo(new Latency(Latency.DEFAULT_DELAY_MS, 0));
        assertThat(FaultRuleParser.parse("{\"type\": \"error\"}").fault())
                .isEqualTo(new ErrorResponse(503, "", Map.of()));
        assertThat(FaultRuleParser.parse("{\"type\": \"drop\"}").fault())
                .isEqualTo(new Drop(DropPoint.BEFORE_RESPONSE, 0, DropMode.RESET));
        assertThat(FaultRuleParser.parse("{\"type\": \"bandwidth\"}").fault())
                .isEqualTo(new Bandwidth(1024));
    }

    @Test
    void readsTheContractExample() {
        FaultRule rule = FaultRuleParser.parse("""
                {
                  "name": "slow-orders",
                  "type": "latency",
                  "proxy": "default",
                  "match": {"methods": ["get"], "path": "/orders/**", "headers": {"X-Tenant": "a"}},
                  "probability": 0.5,
                  "times": 3,
                  "after": 5,
                  "durationMs": 30000,
                  "target": "upstream",
                  "delayMs": 200, "jitterMs": 50
                }""");

        assertThat(rule.name()).isEqualTo("slow-orders");
        assertThat(rule.proxy()).isEqualTo("default");
        assertThat(rule.match().methods()).containsExactly("GET");
        assertThat(rule.match().path().pattern()).isEqualTo("/orders/**");
        assertThat(rule.match().headers()).containsExactly(Map.entry("X-Tenant", "a"));
        assertThat(rule.probability()).isEqualTo(0.5);
        assertThat(rule.times()).isEqualTo(3);
        assertThat(rule.after()).isEqualTo(5);
        assertThat(rule.durationMs()).isEqualTo(30_000L);
        assertThat(rule.target()).isEqualTo(Target.UPSTREAM);
        assertThat(rule.fault()).isEqualTo(new Latency(200, 50));
    }

    @Test
    void readsAnErrorWithBodyAndHeaders() {
        FaultRule rule = FaultRuleParser.parse(
                "{\"type\": \"error\", \"status\": 429, \"body\": \"slow down\", \"headers\": {\"Retry-After\": \"1\"}}");

        assertThat(rule.fault()).isEqualTo(new ErrorResponse(429, "slow down", Map.of("Retry-After", "1")));
    }

    @Test
    void readsADropMidBody() {
        FaultRule rule = FaultRuleParser.parse(
                "{\"type\": \"drop\", \"when\": \"mid-body\", \"afterBytes\": 1024, \"mode\": \"close\"}");

        assertThat(rule.fault()).isEqualTo(new Drop(DropPoint.MID_BODY, 1024, DropMode.CLOSE));
    }

    @Test
    void readsEveryDropPoint() {
        assertThat(((Drop) FaultRuleParser.parse("{\"type\": \"drop\", \"when\": \"after-headers\"}").fault()).when())
                .isEqualTo(DropPoint.AFTER_HEADERS);
        assertThat(((Drop) FaultRuleParser.parse("{\"type\": \"drop\", \"when\": \"before-response\"}").fault()).when())
                .isEqualTo(DropPoint.BEFORE_RESPONSE);
    }

    @Test
    void readsRatePerSecondTheOneFieldBeyondTheContract() {
        assertThat(FaultRuleParser.parse("{\"type\": \"error\", \"ratePerSecond\": 10}").ratePerSecond())
                .isEqualTo(10L);
    }

    @Test
    void explicitNullMeansNotGiven() {
        FaultRule rule = FaultRuleParser.parse(
                "{\"type\": \"latency\", \"name\": null, \"times\": null, \"probability\": null, \"delayMs\": null}");

        assertThat(rule.name()).isNull();
        assertThat(rule.times()).isNull();
        assertThat(rule.probability()).isEqualTo(1.0);
        assertThat(rule.fault()).isEqualTo(new Latency(Latency.DEFAULT_DELAY_MS));
    }

    @Test
    void wholeNumbersMayBeWrittenAsIntegralDecimals() {
        FaultRule rule = FaultRuleParser.parse("{\"type\": \"latency\", \"delayMs\": 2.0E2, \"times\": 3.0}");

        assertThat(rule.fault()).isEqualTo(new Latency(200));
        assertThat(rule.times()).isEqualTo(3);
    }

    @Test
    void probabilityBoundsAreAllowed() {
        assertThat(FaultRuleParser.parse("{\"type\": \"hang\", \"probability\": 0}").probability()).isZero();
        assertThat(FaultRuleParser.parse("{\"type\": \"hang\", \"probability\": 1}").probability()).isEqualTo(1.0);
    }

    @Test
    void emptyMethodsMeanAnyMethod() {
        assertThat(FaultRuleParser.parse("{\"type\": \"hang\", \"match\": {\"methods\": []}}").match())
                .isEqualTo(Match.ANY);
    }

    @Test
    void yamlReadsTheSameAsJson() throws Exception {
        JsonNode yaml = new YAMLMapper().readTree("""
                name: limited
                type: error
                status: 429
                headers: {Retry-After: 1}
                match:
                  methods: [GET, post]
                  path: /api/**
                probability: 0.25
                times: 2
                """);

        FaultRule rule = FaultRuleParser.parse(yaml);

        assertThat(rule).isEqualTo(FaultRuleParser.parse("""
                {"name": "limited", "type": "error", "status": 429, "headers": {"Retry-After": "1"},
                 "match": {"methods": ["GET", "POST"], "path": "/api/**"}, "probability": 0.25, "times": 2}"""));
    }

    @Test
    void yamlNumbersAndBooleansInHeadersAreTakenAsText() throws Exception {
        JsonNode yaml = new YAMLMapper().readTree("{type: error, headers: {Retry-After: 1, X-Cache: true}}");

        assertThat(((ErrorResponse) FaultRuleParser.parse(yaml).fault()).headers())
                .containsExactly(Map.entry("Retry-After", "1"), Map.entry("X-Cache", "true"));
    }

    @Test
    void parseListReadsEveryRuleInOrder() throws Exception {
        JsonNode array = new YAMLMapper().readTree("[{type: latency, delayMs: 5}, {type: hang, name: h}]");

        List<FaultRule> rules = FaultRuleParser.parseList(array, "faults");

        assertThat(rules).extracting(FaultRule::type).containsExactly(FaultType.LATENCY, FaultType.HANG);
        assertThat(rules.get(1).name()).isEqualTo("h");
    }

    @Test
    void parseListTakesAMissingArrayAsEmpty() {
        assertThat(FaultRuleParser.parseList(null, "faults")).isEmpty();
    }

    @Test
    void parseReportedKeepsTheIdAndIgnoresCounters() {
        InstalledRule installed = new FaultEngine(1, new TestClock())
                .install(FaultRule.builder(new Latency(5)).durationMs(1000).build(), "api");

        FaultRule read = FaultRuleParser.parseReported(installed.toJson());

        assertThat(read).isEqualTo(installed.rule());
    }
}
