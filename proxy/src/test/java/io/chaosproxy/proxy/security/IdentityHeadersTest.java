package io.chaosproxy.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import io.chaosproxy.proxy.testing.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The identity headers a client sends ({@code X-Request-Id}, {@code traceparent}) are kept only
 * when valid; anything else is replaced, never reflected: not to the backend, not on the response,
 * not in the proxy's own JSON errors. A valid id that holds JSON's special characters comes back
 * escaped, so it cannot break out of the error body.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityHeadersTest {
    private static final Pattern GENERATED_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final String VALID_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    private final Map<String, ScriptedBackend.Head> seen = new ConcurrentHashMap<>();
    private ScriptedBackend backend;
    private ChaosProxyServer proxy;
    private ChaosProxyServer proxyToNowhere;

    @BeforeAll
    void start() throws Exception {
        backend = new ScriptedBackend(connection -> {
            ScriptedBackend.Head head;
            while ((head = connection.readHead()) != null) {
                connection.readBody(head);
                seen.put(head.target(), head);
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).seed(1).build().start();
        // no breaker and no retry: every request there is a plain 502
        proxyToNowhere = ChaosProxyServer.builder().upstream("http://127.0.0.1:1/").seed(1)
                .resilience(ResilienceSettings.builder().maxAttempts(1).breakerFailures(0).build())
                .build().start();
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        proxyToNowhere.close();
        backend.close();
    }

    @ParameterizedTest(name = "X-Request-Id [{0}]")
    @ValueSource(strings = {"", "has space", "<script>alert(1)</script> x", "caf\u00e9", "tab\there",
            "201 chars", "\u0001ctl", "\u007fdel"})
    void anInvalidRequestIdIsReplacedAndNeverReflected(String raw) throws Exception {
        String id = raw.equals("201 chars") ? "x".repeat(201) : raw;
        String path = "/rid/" + Integer.toHexString(raw.hashCode());
        RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), ("GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + id + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), 5_000);
        if (reply.status() == 400) {
            // Jetty refused the header outright (a control character): then only that answer to check
            assertThat(reply.raw()).doesNotContain(id);
            return;
        }
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        String given = reply.header("X-Request-Id");
        assertThat(given).matches(GENERATED_ID);
        assertThat(seen.get(path).header("X-Request-Id")).as("the backend gets the replacement").isEqualTo(given);
        if (!id.isEmpty()) {
            assertThat(reply.raw()).doesNotContain(id);
            assertThat(seen.get(path).headers().values()).noneMatch(value -> value.contains(id));
        }
    }

    @Test
    void anInvalidRequestIdIsReplacedInTheProxysOwnErrorsToo() throws Exception {
        String id = "bad id <\"x\">";
        RawHttp.Exchange unreachable = RawHttp.exchange(proxyToNowhere.url(), "GET /down HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + id + "\r\n\r\n");
        assertThat(unreachable.status()).isEqualTo(502);
        assertThat(unreachable.header("X-Request-Id")).matches(GENERATED_ID);
        assertThat(json(unreachable.body()).get("requestId").asText()).isEqualTo(unreachable.header("X-Request-Id"));
        assertThat(unreachable.raw()).doesNotContain(id);

        RawHttp.Exchange refused = RawHttp.exchange(proxy.url(), "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\nX-Request-Id: " + id + "\r\n\r\n");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.header("X-Request-Id")).matches(GENERATED_ID);
        assertThat(refused.raw()).doesNotContain(id);

        RawHttp.Exchange malformed = RawHttp.exchange(proxy.url(), "POST /x HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + id
                + "\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.raw()).doesNotContain(id);
    }

    @ParameterizedTest(name = "X-Request-Id [{0}]")
    @ValueSource(strings = {"quote\"and\\backslash", "{\"requestId\":\"forged\"}", "</script><b>"})
    void aValidIdWithJsonSpecialCharactersIsEscapedInErrorBodies(String id) throws Exception {
        RawHttp.Exchange reply = RawHttp.exchange(proxyToNowhere.url(), "GET /down HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + id + "\r\n\r\n");
        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.header("X-Request-Id")).isEqualTo(id);
        JsonNode body = json(reply.body());
        assertThat(body.get("requestId").asText()).isEqualTo(id);
        assertThat(body.size()).as("no field smuggled into the error body").isEqualTo(2);
    }

    @Test
    void anInjectedErrorKeepsTheReplacementIdToo() throws Exception {
        var rule = proxy.inject(FaultRule.builder(new ErrorResponse(503)).path("/injected").build());
        try {
            RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), "GET /injected HTTP/1.1\r\nHost: x\r\nX-Request-Id: not valid\r\n\r\n");
            assertThat(reply.status()).isEqualTo(503);
            assertThat(reply.header("X-Request-Id")).matches(GENERATED_ID);
            assertThat(reply.raw()).doesNotContain("not valid");
        } finally {
            proxy.faults().remove(rule.id());
        }
    }

    @ParameterizedTest(name = "traceparent [{0}]")
    @ValueSource(strings = {
            "garbage",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // all-zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // all-zero parent id
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",   // upper case
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // forbidden version
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 with a fifth field
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",    // short trace id
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",   // wrong separators
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",   // bad flags
            "00-<script>alert(1)</script>0000000000000000-00f067aa0ba902b7-01"})
    void anInvalidTraceparentStartsANewTraceAndIsNeverReflected(String raw) throws Exception {
        String path = "/tp/" + Integer.toHexString(raw.hashCode());
        RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), "GET " + path + " HTTP/1.1\r\nHost: x\r\ntraceparent: " + raw + "\r\n\r\n");
        assertThat(reply.status()).isEqualTo(200);
        String upstream = seen.get(path).header("traceparent");
        assertThat(upstream).matches(TRACEPARENT).isNotEqualTo(raw);
        assertThat(upstream.substring(3, 35)).as("a new trace id, not a repair of the broken one")
                .isNotEqualTo(raw.length() >= 35 ? raw.substring(3, 35).toLowerCase() : "");
        assertThat(seen.get(path).headers().values()).noneMatch(value -> value.contains(raw));
        assertThat(reply.raw()).doesNotContain(raw);
    }

    @Test
    void aValidTraceparentKeepsItsTraceAndGetsTheProxysParent() throws Exception {
        String raw = "00-" + VALID_TRACE_ID + "-00f067aa0ba902b7-01";
        RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), "GET /tp/valid HTTP/1.1\r\nHost: x\r\ntraceparent: " + raw + "\r\n\r\n");
        assertThat(reply.status()).isEqualTo(200);
        String upstream = seen.get("/tp/valid").header("traceparent");
        assertThat(upstream).startsWith("00-" + VALID_TRACE_ID + "-").endsWith("-01").isNotEqualTo(raw);
    }

    private static JsonNode json(String body) throws Exception {
        return new ObjectMapper().readTree(body);
    }
}
