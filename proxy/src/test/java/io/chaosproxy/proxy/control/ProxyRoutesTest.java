package io.chaosproxy.proxy.control;

import static io.chaosproxy.proxy.control.ControlFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.proxy.control.ControlFixture.Reply;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyRoutesTest {
    @RegisterExtension
    static final ControlFixture fixture = ControlFixture.perClass();

    @Test
    void listShowsTheDefaultProxyWithItsRealPortAndBackends() {
        Reply reply = fixture.get("/proxies");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode proxy = reply.json().get(0);
        assertThat(proxy.get("name").asText()).isEqualTo("default");
        assertThat(proxy.get("listen").asText()).isEqualTo("127.0.0.1:" + fixture.server.url().getPort());
        assertThat(proxy.get("url").asText()).isEqualTo(fixture.server.url().toString());
        assertThat(proxy.get("upstreams").get(0).asText()).isEqualTo(fixture.backend.url("/").toString());
        assertThat(proxy.get("backends").get(0).get("breaker").asText()).isEqualTo("CLOSED");
    }

    @Test
    void postedProxyListensOnARealPortAndForwardsTraffic() {
        Reply created = fixture.post("/proxies", json("{'name':'payments','listen':'127.0.0.1:0','upstreams':['"
                + fixture.backend.url("/") + "']}"));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/proxies/payments");
        JsonNode proxy = created.json();
        assertThat(proxy.get("name").asText()).isEqualTo("payments");
        URI url = URI.create(proxy.get("url").asText());
        assertThat(url.getPort()).isPositive();
        assertThat(proxy.get("listen").asText()).endsWith(":" + url.getPort());

        Reply through = fixture.proxyGet(url, "/pay");
        assertThat(through.status()).isEqualTo(200);
        assertThat(through.body()).isEqualTo("hello");
        assertThat(fixture.get("/proxies/payments").json().get("name").asText()).isEqualTo("payments");
        assertThat(fixture.get("/proxies").json()).hasSize(2);
        assertThat(fixture.get("/requests?proxy=payments").json()).hasSize(1);
    }

    @Test
    void listenDefaultsToAFreeLoopbackPort() {
        Reply created = fixture.post("/proxies", json("{'name':'quiet'}"));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("listen").asText()).startsWith("127.0.0.1:");
        assertThat(created.json().get("upstreams")).isEmpty();
    }

    @Test
    void deletedProxyStopsListening() {
        JsonNode proxy = fixture.post("/proxies", json("{'name':'temp','listen':'127.0.0.1:0','upstreams':['"
                + fixture.backend.url("/") + "']}")).json();
        URI url = URI.create(proxy.get("url").asText());

        assertThat(fixture.delete("/proxies/temp").status()).isEqualTo(204);

        assertThat(fixture.get("/proxies/temp").status()).isEqualTo(404);
        assertThat(fixture.delete("/proxies/temp").status()).isEqualTo(404);
        assertThatThrownBy(() -> fixture.proxyGet(url, "/")).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void takenNameIs409() {
        Reply reply = fixture.post("/proxies", json("{'name':'default','listen':'127.0.0.1:0'}"));

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.json().get("field").asText()).isEqualTo("name");
    }

    @Test
    void portInUseIs409OnListen() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Reply reply = fixture.post("/proxies", json("{'name':'clash','listen':'127.0.0.1:" + taken.getLocalPort() + "'}"));

            assertThat(reply.status()).isEqualTo(409);
            assertThat(reply.json().get("field").asText()).isEqualTo("listen");
            assertThat(reply.json().get("error").asText()).contains(String.valueOf(taken.getLocalPort()));
        }
        assertThat(fixture.get("/proxies/clash").status()).isEqualTo(404);
    }

    @Test
    void badFieldsAre400NamingTheField() {
        assertBadField("{'listen':'127.0.0.1:0'}", "name");
        assertBadField("{'name':'has space'}", "name");
        assertBadField("{'name':7}", "name");
        assertBadField("{'name':'x','listen':'nohost'}", "listen");
        assertBadField("{'name':'x','listen':'127.0.0.1:70000'}", "listen");
        assertBadField("{'name':'x','listen':8080}", "listen");
        assertBadField("{'name':'x','upstreams':['ftp://h/']}", "upstreams[0]");
        assertBadField("{'name':'x','upstreams':['http://ok/','http://h/?q=1']}", "upstreams[1]");
        assertBadField("{'name':'x','upstreams':'http://h/'}", "upstreams");
        assertBadField("{'name':'x','upstreams':[1]}", "upstreams[0]");
        assertBadField("{'name':'x','extra':true}", "extra");
        assertThat(fixture.get("/proxies").json()).hasSize(1);
    }

    @Test
    void nonObjectBodyIs400() {
        assertThat(fixture.post("/proxies", "[]").status()).isEqualTo(400);
        assertThat(fixture.post("/proxies", "\"x\"").status()).isEqualTo(400);
    }

    @Test
    void upstreamsCanBeReplacedAtRunTime() throws Exception {
        try (MockWebServer other = new MockWebServer()) {
            other.enqueue(new MockResponse.Builder().code(200).body("other").build());
            other.start();

            Reply reply = fixture.put("/proxies/default/upstreams", json("{'upstreams':['" + other.url("/") + "']}"));

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().get("upstreams").get(0).asText()).isEqualTo(other.url("/").toString());
            assertThat(fixture.proxyGet("/x").body()).isEqualTo("other");
        }
    }

    @Test
    void replacingUpstreamsChecksNameAndBody() {
        assertThat(fixture.put("/proxies/ghost/upstreams", json("{'upstreams':[]}")).status()).isEqualTo(404);
        Reply bad = fixture.put("/proxies/default/upstreams", json("{'upstreams':['nope']}"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asText()).isEqualTo("upstreams[0]");
        assertThat(fixture.put("/proxies/default/upstreams", "{}").json().get("field").asText()).isEqualTo("upstreams");
        assertThat(fixture.proxyGet("/still").status()).isEqualTo(200);
    }

    private void assertBadField(String body, String field) {
        Reply reply = fixture.post("/proxies", json(body));
        assertThat(reply.status()).as(body).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).as(body).isEqualTo(field);
        assertThat(reply.json().get("error").asText()).as(body).isNotBlank();
    }
}
