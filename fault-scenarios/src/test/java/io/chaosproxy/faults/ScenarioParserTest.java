package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioParserTest {

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ScenarioParserTest.class.getResource("/scenarios/" + name).toURI());
    }

    private static FaultSpecException refused(String yaml) {
        FaultSpecException e = catchThrowableOfType(FaultSpecException.class,
                () -> ScenarioParser.parse(yaml, "outage.yaml"));
        assertThat(e).as("expected the document to be refused").isNotNull();
        return e;
    }

    @Test
    void exampleFileReadsPhaseByPhase() throws Exception {
        Scenario scenario = ScenarioParser.parse(resource("example.yaml"));

        assertThat(scenario.name()).isEqualTo("outage-then-recovery");
        assertThat(scenario.description()).startsWith("every request fails");
        assertThat(scenario.repeat()).isFalse();
        assertThat(scenario.phases()).hasSize(3);

        Phase outage = scenario.phases().get(0);
        assertThat(outage.duration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(outage.faults()).containsExactly(FaultRule.builder(new ErrorResponse(503)).build());
        assertThat(outage.ramp()).isNull();

        assertThat(scenario.phases().get(1).faults()).isEmpty();

        Phase ramped = scenario.phases().get(2);
        assertThat(ramped.duration()).isEqualTo(Duration.ofMillis(2500));
        assertThat(ramped.ramp()).isEqualTo(new Ramp(RampField.PROBABILITY, 0.0, 0.5));
        assertThat(ramped.faults()).containsExactly(
                FaultRule.builder(new Latency(200, 50)).name("slow-orders").methods("GET").path("/orders/**").build(),
                FaultRule.builder(new Drop(DropPoint.MID_BODY, 1024, DropMode.CLOSE)).target(Target.UPSTREAM).build());
        assertThat(scenario.totalDuration()).isEqualTo(Duration.ofMillis(12_500));
    }

    @Test
    void jsonDocumentsReadTheSame() throws Exception {
        Scenario fromYaml = ScenarioParser.parse(resource("example.yaml"));
        String json = ScenarioJson.toJson(fromYaml).toPrettyString().replace("  ", "\t");

        assertThat(ScenarioParser.parse(json, "example.json")).isEqualTo(fromYaml);
    }

    @Test
    void yamlFlowMappingIsNotMistakenForJson() {
        Scenario scenario = ScenarioParser.parse("{name: flow, phases: [{duration: 1s}]}", "flow.yaml");

        assertThat(scenario.name()).isEqualTo("flow");
    }

    @Test
    void defaultsAreNoDescriptionNoRepeatAndNoFaults() {
        Scenario scenario = ScenarioParser.parse("name: quiet\nphases: [{duration: 1s}]", "quiet.yaml");

        assertThat(scenario.description()).isEmpty();
        assertThat(scenario.repeat()).isFalse();
        assertThat(scenario.phases().get(0).faults()).isEmpty();
    }

    @Test
    void ruleErrorNamesSourcePhaseAndField() {
        FaultSpecException e = refused("""
                name: outage
                phases:
                  - duration: 5s
                    faults: [{type: error, status: 503}]
                  - duration: 5s
                    faults: [{type: error, status: 700}]
                """);

        assertThat(e.field()).isEqualTo("phases[1].faults[0].status");
        assertThat(e).hasMessage("outage.yaml: phases[1].faults[0].status must be 400-599");
    }

    @Test
    void unknownFieldInARuleIsNamedWithItsPlace() {
        FaultSpecException e = refused("name: outage\nphases: [{duration: 5s, faults: [{type: latency, delayMS: 5}]}]");

        assertThat(e.field()).isEqualTo("phases[0].faults[0].delayMS");
        assertThat(e).hasMessage("outage.yaml: phases[0].faults[0]: unknown field \"delayMS\" (did you mean \"delayMs\"?)");
    }

    @Test
    void missingPhasesIsNamed() {
        FaultSpecException e = refused("name: outage");

        assertThat(e.field()).isEqualTo("phases");
        assertThat(e).hasMessage("outage.yaml: phases is required: a list of {duration, faults}");
    }

    @Test
    void emptyPhasesIsNamed() {
        assertThat(refused("name: outage\nphases: []"))
                .hasMessage("outage.yaml: phases must list at least one phase");
    }

    @Test
    void phasesThatAreNoListAreNamed() {
        assertThat(refused("name: outage\nphases: {duration: 5s}"))
                .hasMessage("outage.yaml: phases must be a list (got an object)");
    }

    @Test
    void zeroAndNegativeDurationsAreNamed() {
        FaultSpecException zero = refused("name: outage\nphases: [{duration: 5s}, {duration: 0s}]");
        assertThat(zero.field()).isEqualTo("phases[1].duration");
        assertThat(zero).hasMessage("outage.yaml: phases[1].duration must be > 0");

        assertThat(refused("name: outage\nphases: [{duration: -5}]"))
                .hasMessage("outage.yaml: phases[0].duration must be > 0");
        assertThat(refused("name: outage\nphases: [{duration: -5s}]"))
                .hasMessage("outage.yaml: phases[0].duration: expected a duration like 250ms, 2s, 1m or a number"
                        + " of milliseconds, got '-5s'");
    }

    @Test
    void missingOrOddDurationIsNamed() {
        assertThat(refused("name: outage\nphases: [{faults: []}]"))
                .hasMessage("outage.yaml: phases[0].duration is required, e.g. 5s");
        assertThat(refused("name: outage\nphases: [{duration: [5]}]"))
                .hasMessage("outage.yaml: phases[0].duration must be a string such as 5s, or milliseconds");
        assertThat(refused("name: outage\nphases: [{duration: 31d}]"))
                .hasMessageContaining("got '31d'");
        assertThat(refused("name: outage\nphases: [{duration: 721h}]"))
                .hasMessage("outage.yaml: phases[0].duration must be at most 30 days");
        assertThat(refused("name: outage\nphases: [{duration: 99999999999999999999}]"))
                .hasMessage("outage.yaml: phases[0].duration must be at most 30 days");
    }

    @Test
    void unknownFieldsAreNamedAtEveryLevel() {
        FaultSpecException top = refused("name: outage\nphase: []");
        assertThat(top.field()).isEqualTo("phase");
        assertThat(top).hasMessage("outage.yaml: unknown field \"phase\" (did you mean \"phases\"?)");

        FaultSpecException inPhase = refused("name: outage\nphases: [{duration: 1s, fault: []}]");
        assertThat(inPhase.field()).isEqualTo("phases[0].fault");
        assertThat(inPhase).hasMessage("outage.yaml: phases[0]: unknown field \"fault\" (did you mean \"faults\"?)");

        FaultSpecException inRamp = refused(
                "name: outage\nphases: [{duration: 1s, ramp: {field: probability, from: 0, too: 1}}]");
        assertThat(inRamp.field()).isEqualTo("phases[0].ramp.too");
    }

    @Test
    void nameAndRepeatAreChecked() {
        assertThat(refused("phases: [{duration: 1s}]")).hasMessage("outage.yaml: name is required");
        assertThat(refused("name: my outage\nphases: [{duration: 1s}]"))
                .hasMessage("outage.yaml: name must be 1-100 characters of letters, digits, '.', '_' or '-'");
        assertThat(refused("name: outage\nrepeat: sometimes\nphases: [{duration: 1s}]"))
                .hasMessage("outage.yaml: repeat must be true or false");
        assertThat(refused("name: outage\ndescription: [a]\nphases: [{duration: 1s}]"))
                .hasMessage("outage.yaml: description must be a string");
    }

    @Test
    void rampErrorsAreNamed() {
        assertThat(refused("name: r\nphases: [{duration: 1s, ramp: {field: latency, from: 0, to: 1}}]"))
                .hasMessage("outage.yaml: phases[0].ramp.field must be one of probability, delayMs, got \"latency\"");
        assertThat(refused("name: r\nphases: [{duration: 1s, ramp: {field: probability, from: 0, to: 2}}]"))
                .hasMessage("outage.yaml: phases[0].ramp.to must be between 0 and 1 for a probability ramp");
        assertThat(refused("name: r\nphases: [{duration: 1s, ramp: {field: delayMs, from: -1, to: 5}}]"))
                .hasMessage("outage.yaml: phases[0].ramp.from must be between 0 and 3600000 (1 hour) for a delayMs ramp");
        assertThat(refused("name: r\nphases: [{duration: 1s, ramp: {field: delayMs, from: 0}}]"))
                .hasMessage("outage.yaml: phases[0].ramp.to is required");
        assertThat(refused("name: r\nphases: [{duration: 1s, ramp: {from: 0, to: 1}}]"))
                .hasMessage("outage.yaml: phases[0].ramp.field is required (one of probability, delayMs)");
        assertThat(refused("name: r\nphases: [{duration: 1s, ramp: {field: delayMs, from: a, to: 1}}]"))
                .hasMessage("outage.yaml: phases[0].ramp.from must be a number");
        assertThat(refused("name: r\nphases: [{duration: 1s, ramp: up}]"))
                .hasMessage("outage.yaml: phases[0].ramp must be an object with field, from and to (got a string)");
    }

    @Test
    void sameRuleNameTwiceInAPhaseIsRefused() {
        FaultSpecException e = refused(
                "name: r\nphases: [{duration: 1s, faults: [{type: hang, name: h}, {type: drop, name: h}]}]");

        assertThat(e.field()).isEqualTo("phases[0].faults[1].name");
        assertThat(e).hasMessage("outage.yaml: phases[0].faults[1].name \"h\" is already used by faults[0]");
    }

    @Test
    void faultsThatAreNoListAreNamed() {
        assertThat(refused("name: r\nphases: [{duration: 1s, faults: {type: hang}}]"))
                .hasMessage("outage.yaml: phases[0].faults must be an array of fault rules (got an object)");
    }

    @Test
    void badYamlIsReportedWithLineAndColumn() {
        FaultSpecException e = refused("""
                name: outage
                phases:
                  - duration: 5s
                    faults: [{type: error
                  - duration: 5s
                """);

        assertThat(e.field()).isNull();
        assertThat(e.getMessage()).startsWith("outage.yaml: malformed YAML: ").containsPattern("at line \\d+, column \\d+");
    }

    @Test
    void badJsonIsReportedWithLineAndColumn() {
        FaultSpecException e = refused("{\"name\": \"x\",\n \"phases\": [}");

        assertThat(e.getMessage()).startsWith("outage.yaml: malformed JSON: ").contains("line 2");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertThat(refused("name: a\nname: b\nphases: [{duration: 1s}]").getMessage())
                .startsWith("outage.yaml: malformed YAML: ").contains("name");
    }

    @Test
    void emptyOrNonObjectDocumentsAreNamed() {
        assertThat(refused("   ")).hasMessage(
                "outage.yaml: the document is empty; expected a scenario with name and phases");
        assertThat(refused("# only a comment\n")).hasMessage(
                "outage.yaml: the document is empty; expected a scenario with name and phases");
        assertThat(refused("- a\n- b")).hasMessage(
                "outage.yaml: a scenario must be an object with name and phases (got an array)");
        assertThat(refused("name: r\nphases: [5]")).hasMessage(
                "outage.yaml: phases[0]: a phase must be an object with duration and faults (got a number)");
    }

    @Test
    void unreadableFileIsNamed() {
        Path missing = Path.of("no-such-dir", "missing.yaml");
        FaultSpecException e = catchThrowableOfType(FaultSpecException.class, () -> ScenarioParser.parse(missing));

        assertThat(e.getMessage()).startsWith(missing + ": cannot read the file");
    }

    @Test
    void aParsedTreeReadsWithoutASource() {
        Scenario scenario = ScenarioParser.parse(FaultRuleParser.readJson(
                "{\"name\": \"s\", \"phases\": [{\"duration\": 100, \"faults\": [{\"type\": \"hang\"}]}]}"));

        assertThat(scenario.phases()).extracting(Phase::duration).containsExactly(Duration.ofMillis(100));
        assertThat(scenario.phases().get(0).faults()).containsExactly(FaultRule.builder(new Hang()).build());
    }

    @Test
    void recordsRefuseWhatTheParserRefuses() {
        FaultSpecException e = catchThrowableOfType(FaultSpecException.class,
                () -> new Scenario("s", null, false, List.of()));
        assertThat(e).hasMessage("phases must list at least one phase");
        assertThat(catchThrowableOfType(FaultSpecException.class, () -> new Phase(Duration.ZERO, List.of())))
                .hasMessage("duration must be > 0");
    }
}
