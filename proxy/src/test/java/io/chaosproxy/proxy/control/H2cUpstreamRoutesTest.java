package io.chaosproxy.proxy.control;

import static io.chaosproxy.proxy.control.ControlFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.config.ConfigFile;
import io.chaosproxy.proxy.control.ControlFixture.Reply;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code h2c://} upstreams are taken wherever upstreams are: POST /proxies, PUT .../upstreams, config files. */
class H2cUpstreamRoutesTest {
    private final MockWebServer h2cBackend = new MockWebServer();
    private ControlFixture fixture;

    @BeforeEach
    void start() throws Exception {
        h2cBackend.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
        h2cBackend.start(0);
        fixture = ControlFixture.start();
    }

    @AfterEach
    void stop() {
        fixture.close();
        h2cBackend.close();
    }

    private String h2cUrl() {
        return "h2c://127.0.0.1:" + h2cBackend.getPort() + "/svc";
    }

    @Test
    void newProxyWithAnH2cUpstreamSpeaksHttp2ToIt() throws Exception {
        Reply created = fixture.post("/proxies", json("{'name':'grpc','listen':'127.0.0.1:0','upstreams':['" + h2cUrl() + "']}"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("upstreams").get(0).asText()).isEqualTo(h2cUrl());
        h2cBackend.enqueue(new MockResponse.Builder().body("via h2c").build());

        Reply reply = fixture.proxyGet(URI.create("http://" + created.json().get("listen").asText() + "/"), "/x");

        assertThat(reply.body()).isEqualTo("via h2c");
        var recorded = h2cBackend.takeRequest();
        assertThat(recorded.getVersion()).isEqualTo("HTTP/2");
        assertThat(recorded.getTarget()).isEqualTo("/svc/x");
    }

    @Test
    void upstreamsReplacedAtRunTimeByAnH2cOneSpeakHttp2() throws Exception {
        assertThat(fixture.put("/proxies/default/upstreams", json("{'upstreams':['" + h2cUrl() + "']}")).status()).isEqualTo(200);
        h2cBackend.enqueue(new MockResponse.Builder().body("switched").build());

        assertThat(fixture.proxyGet("/y").body()).isEqualTo("switched");
        assertThat(h2cBackend.takeRequest().getVersion()).isEqualTo("HTTP/2");
    }

    @Test
    void anUnknownSchemeIsRefusedNamingTheThreeThatWork() {
        Reply bad = fixture.put("/proxies/default/upstreams", json("{'upstreams':['h3://127.0.0.1:1/']}"));

        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asText()).isEqualTo("upstreams[0]");
        assertThat(bad.json().get("error").asText()).contains("http://", "https://", "h2c://");
    }

    @Test
    void configFileTakesH2cUpstreams(@TempDir Path dir) throws Exception {
        ConfigFile config = ConfigFile.parse("""
                proxies:
                  - name: grpc
                    listen: 127.0.0.1:0
                    upstreams: [h2c://127.0.0.1:50051/base]
                """, "chaos.yaml", dir);

        assertThat(config.proxies().get(0).upstreams()).containsExactly(URI.create("h2c://127.0.0.1:50051/base"));
    }
}
