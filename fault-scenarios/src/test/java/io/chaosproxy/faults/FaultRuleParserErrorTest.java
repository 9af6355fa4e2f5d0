package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Invalid input: every refusal names its field and says what is wrong. */
class FaultRuleParserErrorTest {

    static Stream<Arguments> badRules() {
        return Stream.of(
                // type
                arguments("{}", "type", "type is required (one of latency, error, drop, bandwidth, hang, refuse, slice)"),
                arguments("{\"type\": \"slow\"}", "type",
                        "type must be one of latency, error, drop, bandwidth, hang, refuse, slice, got \"slow\""),
                arguments("{\"type\": 5}", "type", "type must be a string"),
                // unknown fields and fields of another kind
                arguments("{\"type\": \"latency\", \"delayMS\": 5}", "delayMS",
                        "unknown field \"delayMS\" (did you mean \"delayMs\"?)"),
                arguments("{\"type\": \"latency\", \"colour\": \"red\"}", "colour", "unknown field \"colour\""),
                arguments("{\"type\": \"hang\", \"match\": {\"pathh\": \"/\"}}", "match.pathh",
                        "unknown field \"match.pathh\" (did you mean \"match.path\"?)"),
                arguments("{\"type\": \"error\", \"delayMs\": 5}", "delayMs",
                        "delayMs does not apply to type error (error takes status, body, headers, grpcStatus, grpcMessage)"),
                arguments("{\"type\": \"hang\", \"status\": 500}", "status",
                        "status does not apply to type hang (hang takes when, afterBytes, direction)"),
                arguments("{\"type\": \"latency\", \"bytesPerSecond\": 5}", "bytesPerSecond",
                        "bytesPerSecond does not apply to type latency (latency takes delayMs, jitterMs, distribution, p99Ms, when, direction)"),
                // what the proxy reports, refused on input
                arguments("{\"type\": \"hang\", \"id\": \"f1\"}", "id",
                        "id is assigned by the proxy; use name to label a rule"),
                arguments("{\"type\": \"hang\", \"fired\": 3}", "fired",
                        "fired is reported by the proxy and cannot be set"),
                arguments("{\"type\": \"hang\", \"ramp\": {}}", "ramp",
                        "ramp is set on a scenario phase, not on a rule"),
                // wrong JSON types
                arguments("{\"type\": \"hang\", \"probability\": \"0.5\"}", "probability",
                        "probability must be a number"),
                arguments("{\"type\": \"hang\", \"times\": 1.5}", "times", "times must be a whole number"),
                arguments("{\"type\": \"hang\", \"times\": \"3\"}", "times", "times must be a whole number"),
                arguments("{\"type\": \"hang\", \"after\": true}", "after", "after must be a whole number"),
                arguments("{\"type\": \"hang\", \"durationMs\": \"30s\"}", "durationMs",
                        "durationMs must be a whole number"),
                arguments("{\"type\": \"hang\", \"name\": 5}", "name", "name must be a string"),
                arguments("{\"type\": \"hang\", \"proxy\": true}", "proxy", "proxy must be a string"),
                arguments("{\"type\": \"hang\", \"target\": \"server\"}", "target",
                        "target must be one of client, upstream, got \"server\""),
                arguments("{\"type\": \"hang\", \"match\": \"/orders\"}", "match",
                        "match must be an object (got a string)"),
                arguments("{\"type\": \"hang\", \"match\": {\"methods\": \"GET\"}}", "match.methods",
                        "match.methods must be an array of strings"),
                arguments("{\"type\": \"hang\", \"match\": {\"methods\": [1]}}", "match.methods[0]",
                        "match.methods[0] must be a string"),
                arguments("{\"type\": \"hang\", \"match\": {\"path\": 5}}", "match.path", "match.path must be a string"),
                arguments("{\"type\": \"hang\", \"match\": {\"headers\": []}}", "match.headers",
                        "match.headers must be an object of strings"),
                arguments("{\"type\": \"hang\", \"match\": {\"headers\": {\"X-A\": {}}}}", "match.headers.X-A",
                        "match.headers.X-A must be a string"),
                arguments("{\"type\": \"error\", \"body\": 5}", "body", "body must be a string"),
                arguments("{\"type\": \"error\", \"headers\": \"Retry-After: 1\"}", "headers",
                        "headers must be an object of strings"),
                arguments("{\"type\": \"drop\", \"when\": \"later\"}", "when",
                        "when must be one of before-response, after-headers, mid-body, after-backend, connect, after-bytes for type drop, got \"later\""),
                arguments("{\"type\": \"drop\", \"mode\": \"rst\"}", "mode", "mode must be one of reset, close, got \"rst\""),
                // ranges
                arguments("{\"type\": \"latency\", \"delayMs\": -1}", "delayMs", "delayMs must be >= 0"),
                arguments("{\"type\": \"latency\", \"delayMs\": 3600001}", "delayMs",
                        "delayMs must be <= 3600000 (1 hour)"),
                arguments("{\"type\": \"latency\", \"jitterMs\": -1}", "jitterMs", "jitterMs must be >= 0"),
                arguments("{\"type\": \"error\", \"status\": 399}", "status", "status must be 400-599"),
                arguments("{\"type\": \"error\", \"status\": 600}", "status", "status must be 400-599"),
                arguments("{\"type\": \"hang\", \"probability\": 1.5}", "probability",
                        "probability must be between 0 and 1"),
                arguments("{\"type\": \"hang\", \"probability\": -0.1}", "probability",
                        "probability must be between 0 and 1"),
                arguments("{\"type\": \"hang\", \"times\": 0}", "times", "times must be >= 1"),
                arguments("{\"type\": \"hang\", \"after\": -1}", "after", "after must be >= 0"),
                arguments("{\"type\": \"hang\", \"durationMs\": 0}", "durationMs", "durationMs must be > 0"),
                arguments("{\"type\": \"hang\", \"durationMs\": 2592000001}", "durationMs",
                        "durationMs must be <= 2592000000 (30 days)"),
                arguments("{\"type\": \"bandwidth\", \"bytesPerSecond\": 0}", "bytesPerSecond",
                        "bytesPerSecond must be > 0"),
                arguments("{\"type\": \"hang\", \"ratePerSecond\": 0}", "ratePerSecond", "ratePerSecond must be > 0"),
                arguments("{\"type\": \"drop\", \"afterBytes\": 10}", "afterBytes",
                        "afterBytes only applies when \"when\" is mid-body or after-bytes"),
                arguments("{\"type\": \"drop\", \"when\": \"after-headers\", \"afterBytes\": 0}", "afterBytes",
                        "afterBytes only applies when \"when\" is mid-body or after-bytes"),
                arguments("{\"type\": \"drop\", \"when\": \"mid-body\", \"afterBytes\": -1}", "afterBytes",
                        "afterBytes must be >= 0"),
                // huge numbers: beyond a long, beyond an int, beyond the cap
                arguments("{\"type\": \"latency\", \"delayMs\": 99999999999999999999999}", "delayMs",
                        "delayMs must be <= 3600000 (1 hour)"),
                arguments("{\"type\": \"latency\", \"delayMs\": -99999999999999999999999}", "delayMs",
                        "delayMs must be >= 0"),
                arguments("{\"type\": \"latency\", \"delayMs\": 1e400}", "delayMs",
                        "delayMs must be <= 3600000 (1 hour)"),
                arguments("{\"type\": \"error\", \"status\": 4294967799}", "status", "status must be 400-599"),
                arguments("{\"type\": \"hang\", \"times\": 2147483648}", "times", "times must be <= 2147483647"),
                arguments("{\"type\": \"hang\", \"times\": 4294967297}", "times", "times must be <= 2147483647"),
                arguments("{\"type\": \"hang\", \"after\": 1e30}", "after", "after must be <= 1000000000"),
                arguments("{\"type\": \"hang\", \"probability\": 1e400}", "probability",
                        "probability must be between 0 and 1"),
                arguments("{\"type\": \"hang\", \"ratePerSecond\": 1000001}", "ratePerSecond",
                        "ratePerSecond must be <= 1000000"),
                arguments("{\"type\": \"bandwidth\", \"bytesPerSecond\": 1073741825}", "bytesPerSecond",
                        "bytesPerSecond must be <= 1073741824 (1 GiB/s)"),
                // strings with rules of their own
                arguments("{\"type\": \"hang\", \"name\": \"slow orders\"}", "name",
                        "name must be 1-100 characters of letters, digits, '.', '_' or '-'"),
                arguments("{\"type\": \"hang\", \"name\": \"\"}", "name",
                        "name must be 1-100 characters of letters, digits, '.', '_' or '-'"),
                arguments("{\"type\": \"hang\", \"name\": \"" + "n".repeat(101) + "\"}", "name",
                        "name must be 1-100 characters of letters, digits, '.', '_' or '-'"),
                arguments("{\"type\": \"hang\", \"proxy\": \"\"}", "proxy", "proxy must be a non-empty string"),
                arguments("{\"type\": \"hang\", \"match\": {\"methods\": [\"GE T\"]}}", "match.methods",
                        "match.methods has an invalid HTTP method \"GE T\""),
                arguments("{\"type\": \"hang\", \"match\": {\"path\": \"orders/**\"}}", "match.path",
                        "match.path must start with '/', e.g. /orders/**"),
                arguments("{\"type\": \"hang\", \"match\": {\"headers\": {\"X Tenant\": \"a\"}}}", "match.headers",
                        "match.headers has an invalid header name \"X Tenant\""),
                arguments("{\"type\": \"error\", \"headers\": {\"Bad Name\": \"a\"}}", "headers",
                        "headers has an invalid header name \"Bad Name\""),
                arguments("{\"type\": \"error\", \"headers\": {\"X-A\": \"a\\r\\nSet-Cookie: x\"}}", "headers.X-A",
                        "headers.X-A must not contain control characters such as CR or LF"),
                arguments("{\"type\": \"error\", \"headers\": {\"content-length\": \"5\"}}", "headers.content-length",
                        "headers.content-length cannot be set; the proxy frames the body itself"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRules")
    void badRuleIsRefusedNamingTheField(String json, String field, String message) {
        FaultSpecException e = catchThrowableOfType(FaultSpecException.class, () -> FaultRuleParser.parse(json));

        assertThat(e).as("expected a FaultSpecException").isNotNull();
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.field()).isEqualTo(field);
    }

    @Test
    void malformedJsonIsNamedWithItsPlace() {
        FaultSpecException e = catchThrowableOfType(FaultSpecException.class,
                () -> FaultRuleParser.parse("{\"type\": \"hang\",\n \"probability\": }"));

        assertThat(e.field()).isNull();
        assertThat(e.getMessage()).startsWith("malformed JSON: ").contains("line 2, column");
    }

    @Test
    void trailingGarbageIsMalformed() {
        assertThatThrownBy(() -> FaultRuleParser.parse("{\"type\": \"hang\"} {}"))
                .isInstanceOf(FaultSpecException.class).hasMessageStartingWith("malformed JSON: ");
    }

    @Test
    void duplicateFieldsAreMalformed() {
        assertThatThrownBy(() -> FaultRuleParser.parse("{\"type\": \"hang\", \"type\": \"error\"}"))
                .hasMessageStartingWith("malformed JSON: ").hasMessageContaining("type");
    }

    @Test
    void emptyBodyIsMalformed() {
        assertThatThrownBy(() -> FaultRuleParser.parse(" "))
                .hasMessage("malformed JSON: the document is empty");
    }

    @Test
    void nonObjectIsRefusedSayingWhatItWas() {
        FaultSpecException e = catchThrowableOfType(FaultSpecException.class, () -> FaultRuleParser.parse("[1]"));

        assertThat(e.field()).isNull();
        assertThat(e).hasMessage("a fault rule must be a JSON object (got an array)");
    }

    @Test
    void notANumberAndInfinityAreRefused() {
        // Strict JSON cannot spell them, but a tree built in code or by a lenient reader can hold them.
        assertThatThrownBy(() -> FaultRuleParser.parse(rule("hang").put("probability", Double.NaN)))
                .hasMessage("probability must be between 0 and 1");
        assertThatThrownBy(() -> FaultRuleParser.parse(rule("hang").put("probability", Double.POSITIVE_INFINITY)))
                .hasMessage("probability must be between 0 and 1");
        assertThatThrownBy(() -> FaultRuleParser.parse(rule("latency").put("delayMs", Double.NaN)))
                .hasMessage("delayMs must be a whole number");
        assertThatThrownBy(() -> FaultRuleParser.parse(rule("latency").put("delayMs", Double.POSITIVE_INFINITY)))
                .hasMessage("delayMs must be <= 3600000 (1 hour)");
    }

    @Test
    void bigDecimalNumbersAreClampedWithoutExpandingThem() {
        ObjectNode node = rule("latency");
        node.put("delayMs", new java.math.BigDecimal("1e999999999"));
        assertThatThrownBy(() -> FaultRuleParser.parse(node)).hasMessage("delayMs must be <= 3600000 (1 hour)");
        node.put("delayMs", new java.math.BigDecimal("12.5"));
        assertThatThrownBy(() -> FaultRuleParser.parse(node)).hasMessage("delayMs must be a whole number");
        node.put("delayMs", new java.math.BigDecimal("1.20E2"));
        assertThat(FaultRuleParser.parse(node).fault()).isEqualTo(new Latency(120));
    }

    @Test
    void nonFiniteJsonLiteralsAreMalformed() {
        assertThatThrownBy(() -> FaultRuleParser.parse("{\"type\": \"hang\", \"probability\": NaN}"))
                .hasMessageStartingWith("malformed JSON: ");
    }

    private static ObjectNode rule(String type) {
        return JsonNodeFactory.instance.objectNode().put("type", type);
    }

    @Test
    void yamlStringWhereANumberBelongsIsNamed() throws Exception {
        JsonNode node = new YAMLMapper().readTree("{type: latency, delayMs: fast}");
        assertThatThrownBy(() -> FaultRuleParser.parse(node)).hasMessage("delayMs must be a whole number");
    }

    @Test
    void listErrorsArePrefixedWithThePlaceInTheList() {
        JsonNode array = FaultRuleParser.readJson("[{\"type\": \"hang\"}, {\"type\": \"error\", \"status\": 700}]");

        FaultSpecException e = catchThrowableOfType(FaultSpecException.class,
                () -> FaultRuleParser.parseList(array, "faults"));

        assertThat(e.field()).isEqualTo("faults[1].status");
        assertThat(e).hasMessage("faults[1].status must be 400-599");
    }

    @Test
    void listUnknownFieldIsPrefixed() {
        JsonNode array = FaultRuleParser.readJson("[{\"type\": \"latency\", \"delayMS\": 1}]");

        FaultSpecException e = catchThrowableOfType(FaultSpecException.class,
                () -> FaultRuleParser.parseList(array, "faults"));

        assertThat(e.field()).isEqualTo("faults[0].delayMS");
        assertThat(e).hasMessage("faults[0]: unknown field \"delayMS\" (did you mean \"delayMs\"?)");
    }

    @Test
    void listElementThatIsNoObjectIsNamed() {
        FaultSpecException e = catchThrowableOfType(FaultSpecException.class,
                () -> FaultRuleParser.parseList(FaultRuleParser.readJson("[3]"), "faults"));

        assertThat(e.field()).isEqualTo("faults[0]");
        assertThat(e).hasMessage("faults[0]: a fault rule must be a JSON object (got a number)");
    }

    @Test
    void listThatIsNoArrayIsNamed() {
        FaultSpecException e = catchThrowableOfType(FaultSpecException.class,
                () -> FaultRuleParser.parseList(FaultRuleParser.readJson("{\"type\": \"hang\"}"), "faults"));

        assertThat(e.field()).isEqualTo("faults");
        assertThat(e).hasMessage("faults must be an array of fault rules (got an object)");
    }

    @Test
    void listWithTheSameNameTwiceIsRefused() {
        JsonNode array = FaultRuleParser.readJson(
                "[{\"type\": \"hang\", \"name\": \"x\"}, {\"type\": \"hang\"}, {\"type\": \"error\", \"name\": \"x\"}]");

        FaultSpecException e = catchThrowableOfType(FaultSpecException.class,
                () -> FaultRuleParser.parseList(array, "faults"));

        assertThat(e.field()).isEqualTo("faults[2].name");
        assertThat(e).hasMessage("faults[2].name \"x\" is already used by faults[0]");
    }
}
