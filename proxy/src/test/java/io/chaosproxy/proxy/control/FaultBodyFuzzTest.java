package io.chaosproxy.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.proxy.control.ControlFixture.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hundreds of generated bad bodies against {@code POST /faults}: each must get a 4xx whose JSON
 * body says what is wrong, never a 5xx, and must leave no rule behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultBodyFuzzTest {
    private static final long SEED = 20_240_601L;
    private static final List<String> VALID = List.of(
            "{\"type\":\"latency\",\"delayMs\":200,\"jitterMs\":50,\"match\":{\"path\":\"/orders/**\"}}",
            "{\"name\":\"boom\",\"type\":\"error\",\"status\":503,\"body\":\"down\",\"headers\":{\"Retry-After\":\"1\"}}",
            "{\"type\":\"drop\",\"when\":\"mid-body\",\"afterBytes\":1024,\"mode\":\"close\",\"probability\":0.5}",
            "{\"type\":\"bandwidth\",\"bytesPerSecond\":1024,\"times\":3,\"after\":5,\"durationMs\":30000}",
            "{\"type\":\"hang\",\"proxy\":\"default\",\"target\":\"upstream\",\"match\":{\"methods\":[\"GET\"],\"headers\":{\"X-Tenant\":\"a\"}}}",
            "{\"type\":\"error\",\"status\":429,\"ratePerSecond\":10}");
    /** Values of every JSON type but null (null means "not given", which is fine for any optional field). */
    private static final List<String> ANY_TYPE = List.of("\"text\"", "12", "-3.5", "true", "[]", "[1,2]", "{}", "{\"a\":1}");
    private static final List<String> HUGE = List.of("1e400", "-1e400", "123456789012345678901234567890",
            "-123456789012345678901234567890", "1.7976931348623157e308", "9223372036854775808", "1e-400x");

    private ControlFixture fixture;
    private int checked;

    @BeforeAll
    void start() throws Exception {
        fixture = ControlFixture.start();
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @Test
    void malformedBodiesAreAlways4xxAndInstallNothing() throws Exception {
        Random random = new Random(SEED);
        for (String valid : VALID) {
            assertThat(fixture.post("/faults", valid).status()).as(valid).isEqualTo(201); // the seeds themselves are fine
        }
        fixture.delete("/faults");

        for (String valid : VALID) {
            for (int i = 0; i < 12; i++) {
                expectRefused(valid.substring(0, random.nextInt(valid.length())).getBytes(StandardCharsets.UTF_8));
            }
            for (String field : fieldsOf(valid)) {
                for (String wrong : ANY_TYPE) {
                    String mutated = withField(valid, field, wrong);
                    if (mutated != null && !isAcceptableType(field, wrong)) {
                        expectRefused(mutated.getBytes(StandardCharsets.UTF_8));
                    }
                }
                if (isNumeric(field)) {
                    for (String huge : HUGE) {
                        expectRefused(valid.replaceFirst("\"" + field + "\":[^,}]+", "\"" + field + "\":" + huge)
                                .getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            expectRefused(("[" + valid + "," + valid.substring(0, valid.length() / 2) + "]").getBytes(StandardCharsets.UTF_8));
            expectRefused(("[" + valid + ",{\"type\":\"nope\"}]").getBytes(StandardCharsets.UTF_8));
            expectRefused((valid + valid).getBytes(StandardCharsets.UTF_8));
            expectRefused(valid.replace("\"type\"", "\"typo\"").getBytes(StandardCharsets.UTF_8));
            expectRefused(valid.replaceFirst(":", "::").getBytes(StandardCharsets.UTF_8));
        }

        expectRefused(nested("[", "]", 10_000));
        expectRefused(nested("{\"a\":", "}", 10_000));
        expectRefused(("{\"type\":\"error\",\"match\":" + new String(nested("{\"path\":", "}", 10_000), StandardCharsets.UTF_8) + "}")
                .getBytes(StandardCharsets.UTF_8));
        expectRefused(("{\"type\":\"error\",\"body\":\"" + "x".repeat(100) + new String(nested("[", "]", 5000), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));
        expectRefused(("{\"type\":\"error\",\"status\":" + "9".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8));
        expectRefused(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0});
        expectRefused(new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', ':', '1', '}'});
        expectRefused("{\"type\":NaN}".getBytes(StandardCharsets.UTF_8));
        expectRefused("{\"type\":\"latency\",\"delayMs\":Infinity}".getBytes(StandardCharsets.UTF_8));
        expectRefused("{'type':'error'}".getBytes(StandardCharsets.UTF_8));
        expectRefused("{\"type\":\"error\"/*c*/}".getBytes(StandardCharsets.UTF_8));
        expectRefused("\u0000".getBytes(StandardCharsets.UTF_8));

        for (int i = 0; i < 120; i++) {
            String valid = VALID.get(random.nextInt(VALID.size()));
            byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
            int at = random.nextInt(bytes.length);
            String replacements = "{}[]:,\"\\\u0001 9-.e";
            bytes[at] = (byte) replacements.charAt(random.nextInt(replacements.length()));
            expectNever5xx(bytes);
        }

        assertThat(checked).isGreaterThan(300);
        assertThat(fixture.get("/faults").json()).isEmpty();
        assertThat(fixture.get("/health").status()).isEqualTo(200);
    }

    /** A body that must be refused: 4xx, an error message, and no rule left installed. */
    private void expectRefused(byte[] body) {
        Reply reply = post(body);
        String shown = shown(body);
        assertThat(reply.status()).as(shown).isBetween(400, 499);
        assertThat(reply.json().get("error").asText()).as(shown).isNotBlank();
        assertThat(fixture.server.faults().rules()).as(shown).isEmpty();
    }

    /** A random mutation may still be a valid rule; then it is removed again. Either way: no 5xx. */
    private void expectNever5xx(byte[] body) {
        Reply reply = post(body);
        String shown = shown(body);
        assertThat(reply.status()).as(shown).isLessThan(500);
        if (reply.status() == 201) {
            fixture.delete("/faults");
        } else {
            assertThat(reply.status()).as(shown).isBetween(400, 499);
            assertThat(reply.json().get("error").asText()).as(shown).isNotBlank();
            assertThat(fixture.server.faults().rules()).as(shown).isEmpty();
        }
    }

    private Reply post(byte[] body) {
        checked++;
        return fixture.control("POST", "/faults", RequestBody.create(body, ControlFixture.JSON));
    }

    private static String shown(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 200 ? text.substring(0, 200) + "... (" + body.length + " bytes)" : text;
    }

    private static byte[] nested(String open, String close, int depth) {
        return (open.repeat(depth) + close.repeat(depth)).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> fieldsOf(String json) throws Exception {
        List<String> fields = new ArrayList<>();
        Iterator<String> names = ControlFixture.MAPPER.readTree(json).fieldNames();
        names.forEachRemaining(fields::add);
        return fields;
    }

    private static String withField(String json, String field, String rawValue) throws Exception {
        ObjectNode tree = (ObjectNode) ControlFixture.MAPPER.readTree(json);
        JsonNode value = ControlFixture.MAPPER.readTree(rawValue);
        tree.set(field, value);
        return ControlFixture.MAPPER.writeValueAsString(tree);
    }

    private static boolean isNumeric(String field) {
        return List.of("delayMs", "jitterMs", "status", "afterBytes", "probability", "bytesPerSecond", "times",
                "after", "durationMs", "ratePerSecond").contains(field);
    }

    /**
     * The few substitutions that are legitimately valid: a small whole number for a count, any text
     * for a free-text field, {} for match or headers, and numbers as header values (YAML writes them so).
     */
    private static boolean isAcceptableType(String field, String value) {
        if (isNumeric(field)) {
            return value.equals("12") && !field.equals("status") && !field.equals("probability");
        }
        return switch (field) {
            case "name", "body" -> value.equals("\"text\"");
            case "match" -> value.equals("{}");
            case "headers" -> value.equals("{}") || value.equals("{\"a\":1}");
            default -> false;
        };
    }
}
