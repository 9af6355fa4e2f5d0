package io.chaosproxy.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.proxy.testing.TcpEchoServer;
import java.io.InputStream;
import java.net.Socket;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TCP proxies through the control API: created, listed in /status, journaled, and rules that cannot apply refused. */
@Timeout(30)
class TcpProxyRoutesTest {
    private static TcpEchoServer echo;
    private static ControlFixture control;

    @BeforeAll
    static void start() throws Exception {
        echo = new TcpEchoServer();
        control = ControlFixture.start();
    }

    @AfterAll
    static void stop() throws Exception {
        control.close();
        echo.close();
    }

    @Test
    void postProxiesMakesATcpProxyThatStatusListsAndTheJournalRecords() throws Exception {
        ControlFixture.Reply created = control.post("/proxies",
                "{\"name\": \"cache\", \"protocol\": \"tcp\", \"listen\": \"127.0.0.1:0\", \"upstreams\": [\"tcp://" + echo.address() + "\"]}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode proxy = created.json();
        assertThat(proxy.get("protocol").asText()).isEqualTo("tcp");
        int port = Integer.parseInt(proxy.get("listen").asText().replaceAll(".*:", ""));
        assertThat(port).isPositive();

        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("PING\r\n");
        }

        JsonNode entries = awaitEntries("/requests?proxy=cache");
        JsonNode entry = entries.get(0);
        assertThat(entry.get("protocol").asText()).isEqualTo("tcp");
        assertThat(entry.get("proxy").asText()).isEqualTo("cache");
        assertThat(entry.get("bytesUp").asLong()).isEqualTo(6);
        assertThat(entry.get("bytesDown").asLong()).isEqualTo(6);
        assertThat(entry.get("end").asText()).isEqualTo("client-closed");
        assertThat(entry.get("client").asText()).startsWith("127.0.0.1:");
        for (String field : new String[] {"faults", "durationMs", "startedAt"}) {
            assertThat(entry.has(field)).as(field).isTrue();
        }

        JsonNode status = control.get("/status").json();
        JsonNode listed = null;
        for (JsonNode one : status.get("proxies")) {
            if (one.get("name").asText().equals("cache")) {
                listed = one;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("protocol").asText()).isEqualTo("tcp");
        assertThat(listed.get("upstreams").get(0).asText()).isEqualTo("tcp://" + echo.address());
        assertThat(listed.get("connections").get("accepted").asLong()).isEqualTo(1);
        assertThat(listed.get("listener").asText()).isEqualTo("accepting");
    }

    @Test
    void aRuleWithMatchOrOfTypeErrorNamingATcpProxyIsRefusedOnThatField() {
        control.post("/proxies", "{\"name\": \"pg\", \"protocol\": \"tcp\", \"upstreams\": [\"" + echo.address() + "\"]}");
        ControlFixture.Reply withMatch = control.post("/faults",
                "{\"type\": \"latency\", \"proxy\": \"pg\", \"match\": {\"path\": \"/x\"}}");
        assertThat(withMatch.status()).isEqualTo(400);
        assertThat(withMatch.json().get("field").asText()).isEqualTo("match");
        ControlFixture.Reply error = control.post("/faults", "{\"type\": \"error\", \"status\": 503, \"proxy\": \"pg\"}");
        assertThat(error.status()).isEqualTo(400);
        assertThat(error.json().get("field").asText()).isEqualTo("type");
        assertThat(control.post("/faults", "{\"type\": \"slice\", \"proxy\": \"pg\", \"sliceBytes\": 3}").status()).isEqualTo(201);
    }

    @Test
    void aTcpUpstreamMustBeHostAndPort() {
        ControlFixture.Reply bad = control.post("/proxies",
                "{\"name\": \"bad\", \"protocol\": \"tcp\", \"upstreams\": [\"http://example.com/\"]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asText()).isEqualTo("upstreams[0]");
    }

    /** The entry is written when the connection ends, a moment after the client closed: wait for it, then read it as a script would. */
    private static JsonNode awaitEntries(String path) throws InterruptedException {
        control.server.journal().await(JournalQuery.ALL.withProxy("cache"), 1, Duration.ofSeconds(10));
        JsonNode entries = control.get(path).json();
        assertThat(entries.size()).isEqualTo(1);
        return entries;
    }
}
