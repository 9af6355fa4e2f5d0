package io.chaosproxy.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.reliability.support.ControlClient;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import io.chaosproxy.proxy.testing.RawHttp;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proxy calls its configured backends and nothing else: not through an absolute-form target,
 * CONNECT, a Host or forwarding header, a redirect, nor through any fault rule or scenario the
 * control API takes. A second server, "forbidden", stands next to the backend on loopback; after
 * every attempt it must have seen not one connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NoServerSideRequestForgeryTest {
    private static final String TOKEN = "s3cret-token";

    private final Map<String, ScriptedBackend.Head> seenByBackend = new ConcurrentHashMap<>();
    private ScriptedBackend backend;
    private ScriptedBackend forbidden;
    private ChaosProxyServer proxy;
    private ControlClient control;
    private String forbiddenHost;

    @BeforeAll
    void start() throws Exception {
        forbidden = new ScriptedBackend(connection -> {
            connection.readHead();
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nforbidden");
        });
        forbiddenHost = "127.0.0.1:" + forbidden.port();
        backend = new ScriptedBackend(connection -> {
            ScriptedBackend.Head head;
            while ((head = connection.readHead()) != null) {
                connection.readBody(head);
                seenByBackend.put(head.target(), head);
                if (head.target().startsWith("/redirect")) {
                    connection.write("HTTP/1.1 302 Found\r\nLocation: http://" + forbiddenHost + "/stolen\r\nContent-Length: 0\r\n\r\n");
                } else {
                    connection.write("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nbackend");
                }
            }
        });
        proxy = ChaosProxyServer.builder()
                .upstream(backend.url().toString())
                .control("127.0.0.1:0")
                .controlToken(TOKEN)
                .seed(1)
                .build()
                .start();
        control = new ControlClient(proxy.controlUrl(), TOKEN);
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        backend.close();
        forbidden.close();
    }

    @AfterEach
    void nothingReachedTheForbiddenServer() {
        assertThat(forbidden.connections()).as("connections to the forbidden server").isZero();
        control.post("/reset", null);
    }

    Stream<String> foreignTargets() {
        int proxyPort = proxy.url().getPort();
        return Stream.of(
                "GET http://" + forbiddenHost + "/x HTTP/1.1\r\nHost: " + forbiddenHost,
                "GET http://" + forbiddenHost + "/x HTTP/1.1\r\nHost: 127.0.0.1:" + proxyPort,
                "GET http://localhost:" + forbidden.port() + "/x HTTP/1.1\r\nHost: localhost:" + forbidden.port(),
                "GET HTTP://" + forbiddenHost + "/x HTTP/1.1\r\nHost: " + forbiddenHost,
                "GET https://" + forbiddenHost + "/x HTTP/1.1\r\nHost: " + forbiddenHost,
                "GET http://127.0.0.1:" + proxyPort + "@" + forbiddenHost + "/x HTTP/1.1\r\nHost: " + forbiddenHost,
                "GET http://[::ffff:127.0.0.1]:" + forbidden.port() + "/x HTTP/1.1\r\nHost: [::ffff:127.0.0.1]:" + forbidden.port(),
                "GET http://2130706433:" + forbidden.port() + "/x HTTP/1.1\r\nHost: 2130706433:" + forbidden.port(),
                "POST http://" + forbiddenHost + "/x HTTP/1.1\r\nHost: " + forbiddenHost + "\r\nContent-Length: 2\r\n\r\nhi",
                "CONNECT " + forbiddenHost + " HTTP/1.1\r\nHost: " + forbiddenHost,
                "connect " + forbiddenHost + " HTTP/1.1\r\nHost: " + forbiddenHost,
                "GET " + forbiddenHost + " HTTP/1.1\r\nHost: " + forbiddenHost,
                "OPTIONS http://" + forbiddenHost + "/ HTTP/1.1\r\nHost: " + forbiddenHost + "\r\nMax-Forwards: 5");
    }

    @ParameterizedTest
    @MethodSource("foreignTargets")
    void aRequestTargetNamingAnotherHostIsRefusedAndNothingIsCalled(String head) throws Exception {
        String request = head.contains("\r\n\r\n") ? head : head + "\r\n\r\n";
        int before = backend.requests();
        RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), request);
        assertThat(reply.status()).as(reply.raw()).isBetween(400, 499);
        assertThat(reply.body()).doesNotContain("forbidden\"").doesNotContain("backend");
        assertThat(backend.requests()).as("not forwarded to the backend either").isEqualTo(before);
    }

    @Test
    void anAbsoluteFormTargetNamingTheProxyItselfGoesToTheConfiguredBackend() throws Exception {
        String self = "127.0.0.1:" + proxy.url().getPort();
        RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), "GET http://" + self + "/self?q=1 HTTP/1.1\r\nHost: " + self + "\r\n\r\n");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("backend");
        assertThat(seenByBackend.get("/self?q=1").header("Host")).isEqualTo("127.0.0.1:" + backend.port());
    }

    @Test
    void hostAndForwardingHeadersNamingAnotherHostOnlyTravelAsHeaders() throws Exception {
        RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), "GET /hdrs HTTP/1.1\r\nHost: " + forbiddenHost
                + "\r\nX-Forwarded-Host: " + forbiddenHost + "\r\nForwarded: host=" + forbiddenHost
                + "\r\nX-Original-URL: http://" + forbiddenHost + "/x\r\nX-Rewrite-URL: http://" + forbiddenHost + "/x"
                + "\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Port: " + forbidden.port() + "\r\n\r\n");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("backend");
        ScriptedBackend.Head seen = seenByBackend.get("/hdrs");
        assertThat(seen.header("Host")).as("the backend sees its own host").isEqualTo("127.0.0.1:" + backend.port());
        assertThat(seen.header("X-Forwarded-Host")).isEqualTo(forbiddenHost);
    }

    @Test
    void aRedirectToAnotherHostIsPassedOnNotFollowed() throws Exception {
        RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), "GET /redirect HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(reply.status()).isEqualTo(302);
        assertThat(reply.header("Location")).isEqualTo("http://" + forbiddenHost + "/stolen");
        Thread.sleep(100); // a follow-up call, if one were made, would be under way by now
    }

    @Test
    void noFaultRuleOrScenarioCanNameAnotherHost() throws Exception {
        String url = "http://" + forbiddenHost + "/";
        List<String> refused = List.of(
                "{'type':'error','url':'" + url + "'}",
                "{'type':'error','upstream':'" + url + "'}",
                "{'type':'latency','target':'" + url + "'}",
                "{'type':'drop','proxy':'" + url + "'}",
                "{'type':'error','status':302,'headers':{'Location':'" + url + "'}}",
                "{'type':'error','match':{'host':'" + forbiddenHost + "'}}",
                "[{'type':'latency','delayMs':1},{'type':'error','backend':'" + url + "'}]");
        for (String rule : refused) {
            ControlClient.Reply reply = control.post("/faults", rule.replace('\'', '"'));
            assertThat(reply.status()).as(rule + " -> " + reply.body()).isEqualTo(400);
        }
        assertThat(proxy.faults().rules()).isEmpty();
        ControlClient.Reply scenario = control.post("/scenarios", ("{'name':'s','phases':[{'duration':'1s','faults':"
                + "[{'type':'error','upstream':'" + url + "'}]}]}").replace('\'', '"'));
        assertThat(scenario.status()).as(scenario.body()).isEqualTo(400);

        // rules that may mention the host as plain data install fine, and still call nobody else
        assertThat(control.post("/faults", ("{'type':'error','status':503,'headers':{'Location':'" + url + "'},"
                + "'match':{'path':'/err'}}").replace('\'', '"')).status()).isEqualTo(201);
        assertThat(control.post("/faults", ("{'type':'latency','delayMs':1,'target':'upstream',"
                + "'match':{'headers':{'Host':'" + forbiddenHost + "'}}}").replace('\'', '"')).status()).isEqualTo(201);
        assertThat(RawHttp.exchange(proxy.url(), "GET /err HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(503);
        assertThat(RawHttp.exchange(proxy.url(), "GET /via-rule HTTP/1.1\r\nHost: " + forbiddenHost + "\r\n\r\n").body())
                .isEqualTo("backend");
    }

    @Test
    void backendsChangeOnlyThroughTheAuthenticatedApiAndOnlyToHttpUrls() throws Exception {
        ControlClient anonymous = new ControlClient(proxy.controlUrl(), null);
        String body = "{\"upstreams\":[\"http://" + forbiddenHost + "/\"]}";
        assertThat(anonymous.call("PUT", "/proxies/default/upstreams", body).status()).isEqualTo(401);
        assertThat(anonymous.post("/proxies", "{\"name\":\"p2\",\"upstreams\":[\"http://" + forbiddenHost + "/\"]}").status())
                .isEqualTo(401);
        for (String upstream : List.of("file:///etc/passwd", "gopher://" + forbiddenHost + "/", "ftp://" + forbiddenHost + "/",
                "jar:http://" + forbiddenHost + "/x!/", "//" + forbiddenHost + "/", forbiddenHost, "http:///nohost",
                "http://" + forbiddenHost + "/?q=1", "http://" + forbiddenHost + "/#frag")) {
            ControlClient.Reply reply = control.call("PUT", "/proxies/default/upstreams", "{\"upstreams\":[\"" + upstream + "\"]}");
            assertThat(reply.status()).as(upstream + " -> " + reply.body()).isEqualTo(400);
        }
        assertThat(proxy.proxies().get(0).backends()).singleElement()
                .satisfies(b -> assertThat(b.uri()).isEqualTo(backend.url()));
        assertThat(RawHttp.exchange(proxy.url(), "GET /still HTTP/1.1\r\nHost: x\r\n\r\n").body()).isEqualTo("backend");
    }
}
