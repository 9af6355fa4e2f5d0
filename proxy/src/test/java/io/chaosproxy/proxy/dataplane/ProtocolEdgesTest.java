package io.chaosproxy.proxy.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Edges where the proxy must say no rather than guess: transfer codings it does not implement,
 * credentials in a backend URL, header values a wire cannot carry, a listener open to the network.
 */
class ProtocolEdgesTest {
    private MockWebServer backend;
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = new MockWebServer();
        backend.enqueue(new MockResponse.Builder().body("ok").build());
        backend.start();
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).build().start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @ParameterizedTest(name = "Transfer-Encoding: {0}")
    @ValueSource(strings = {"identity, chunked", "gzip, chunked", "gzip,chunked"})
    void aTransferCodingOtherThanChunkedIsA501AndNeverForwarded(String codings) throws Exception {
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Reply reply = client.send("POST /upload HTTP/1.1\nHost: x\nTransfer-Encoding: " + codings,
                    "5\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).read(false);
            assertThat(reply.status()).isEqualTo(501);
            assertThat(reply.bodyText()).contains("not implemented");
        }
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void credentialsInAnUpstreamUrlAreRefusedAndNeverPrinted() {
        assertThatThrownBy(() -> ChaosProxyServer.builder().upstream("http://alice:s3cret@127.0.0.1:9/").build().start().close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credentials")
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("alice");
        assertThatThrownBy(() -> proxy.upstreams(List.of(URI.create("http://bob:hunter2@127.0.0.1:9/"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credentials")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aNonAsciiHeaderValueInAnErrorRuleIsRefusedNamingTheField() {
        assertThatThrownBy(() -> new ErrorResponse(500, "", Map.of("X-Note", "café")))
                .isInstanceOfSatisfying(FaultSpecException.class, e -> assertThat(e.field()).isEqualTo("headers.X-Note"))
                .hasMessageContaining("ASCII");
    }

    @Test
    void aProxyAddedOnAWildcardAddressIsWarnedAbout() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            proxy.addProxy(new ProxySpec("wide", HostPort.parse("0.0.0.0:0"), List.of(backend.url("/").uri())));
        } finally {
            System.setErr(original);
            proxy.removeProxy("wide");
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("WARNING: proxy 'wide' listens on 0.0.0.0:0");
    }
}
