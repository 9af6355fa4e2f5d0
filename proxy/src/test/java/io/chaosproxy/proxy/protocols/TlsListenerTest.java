package io.chaosproxy.proxy.protocols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.http2.StreamResetException;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A proxy listener with a certificate: HTTPS only, h2 or http/1.1 by ALPN, and the backend told it was https. */
class TlsListenerTest {
    private static final HeldCertificate CA = TestCertificates.ca("chaos-proxy listener CA");

    @TempDir
    Path dir;

    private final MockWebServer backend = new MockWebServer();
    private ChaosProxyServer proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
    }

    @ParameterizedTest(name = "rsa={0}")
    @ValueSource(booleans = {false, true})
    void http11OverTlsReachesTheBackendAsHttpsForwarded(boolean rsa) throws Exception {
        HeldCertificate listener = TestCertificates.server(CA, rsa);
        startProxy(listener, CA);
        assertThat(proxy.url().getScheme()).isEqualTo("https");

        OkHttpClient client = TestCertificates.clientTrusting(CA).protocols(List.of(Protocol.HTTP_1_1)).build();
        try (Response response = client.newCall(get("/orders?id=1")).execute()) {
            assertThat(response.protocol()).isEqualTo(Protocol.HTTP_1_1);
            assertThat(response.handshake()).isNotNull();
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("hello over tls");
        }
        RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
        assertThat(seen.getTarget()).isEqualTo("/orders?id=1");
        assertThat(seen.getHeaders().get("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(seen.getHeaders().get("X-Forwarded-Host")).isEqualTo("localhost:" + proxy.url().getPort());
    }

    @Test
    void http2IsChosenByAlpnWhenTheClientOffersIt() throws Exception {
        startProxy(TestCertificates.server(CA, false), CA);
        OkHttpClient client = TestCertificates.clientTrusting(CA).build(); // offers h2 and http/1.1
        for (int i = 0; i < 3; i++) {
            try (Response response = client.newCall(get("/h2/" + i)).execute()) {
                assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.header("X-Request-Id")).isNotBlank();
                assertThat(response.body().string()).isEqualTo("hello over tls");
            }
            assertThat(backend.takeRequest(10, TimeUnit.SECONDS).getHeaders().get("X-Forwarded-Proto")).isEqualTo("https");
        }
        assertThat(client.connectionPool().connectionCount()).isEqualTo(1);
    }

    @Test
    void aDropResetOverTlsHttp2ResetsTheStreamAndOverTlsHttp11TheConnection() throws Exception {
        startProxy(TestCertificates.server(CA, false), CA);
        proxy.inject(FaultRule.builder(new Drop(DropPoint.BEFORE_RESPONSE, 0, DropMode.RESET)).path("/dropped").build());

        OkHttpClient h2 = TestCertificates.clientTrusting(CA).retryOnConnectionFailure(false).build();
        assertThatThrownBy(() -> h2.newCall(get("/dropped")).execute()).isInstanceOf(StreamResetException.class);
        OkHttpClient http11 = h2.newBuilder().protocols(List.of(Protocol.HTTP_1_1)).build();
        // a TCP reset, not TLS's clean close_notify end of stream
        assertThatThrownBy(() -> http11.newCall(get("/dropped")).execute())
                .isInstanceOf(IOException.class).isNotInstanceOf(StreamResetException.class)
                .satisfies(e -> assertThat(String.valueOf(e) + " / " + e.getCause()).containsIgnoringCase("reset"));
        try (Response response = http11.newCall(get("/fine")).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
    }

    @Test
    void aCleartextClientGetsNoAnswerFromATlsListener() throws Exception {
        startProxy(TestCertificates.server(CA, false), CA);
        try (Socket socket = new Socket("127.0.0.1", proxy.url().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = socket.getInputStream().readNBytes(5); // a TLS alert at most, then the end
            assertThat(new String(answer, StandardCharsets.US_ASCII)).doesNotStartWith("HTTP/");
        }
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void forwardedProtoFollowsTheConnectionNotTheClientsClaim() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("ok").build());
        backend.start(0);
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).build().start();
        URI url = proxy.url();
        try (RawHttp client = new RawHttp(url)) {
            // absolute-form naming the proxy itself is admitted; its "https" is only a claim
            RawHttp.Reply reply = client.send("GET https://127.0.0.1:" + url.getPort() + "/claim HTTP/1.1\nHost: 127.0.0.1:"
                    + url.getPort(), null).read(false);
            assertThat(reply.status()).isEqualTo(200);
        }
        assertThat(backend.takeRequest(10, TimeUnit.SECONDS).getHeaders().get("X-Forwarded-Proto")).isEqualTo("http");
    }

    @Test
    void anEcKeyAndItsChainWithTheIntermediateAreServed() throws Exception {
        HeldCertificate intermediate = new HeldCertificate.Builder().commonName("intermediate").certificateAuthority(0).signedBy(CA).build();
        HeldCertificate listener = TestCertificates.server(intermediate, false);
        backend.enqueue(new MockResponse.Builder().body("chained").build());
        backend.start(0);
        proxy = ChaosProxyServer.builder()
                .tls(TestCertificates.certificatePem(dir, "chain.pem", listener, intermediate), TestCertificates.keyPem(dir, "key.pem", listener))
                .upstream(backend.url("/").toString()).build().start();
        // the client knows only the root: the listener must send the intermediate along
        try (Response response = TestCertificates.clientTrusting(CA).build().newCall(get("/")).execute()) {
            assertThat(response.body().string()).isEqualTo("chained");
        }
    }

    @Test
    void badCertificateOrKeyFilesAreRefusedNamingWhichAndWhy() throws Exception {
        HeldCertificate listener = TestCertificates.server(CA, false);
        HeldCertificate other = TestCertificates.server(CA, false);
        Path cert = TestCertificates.certificatePem(dir, "cert.pem", listener);
        Path key = TestCertificates.keyPem(dir, "key.pem", listener);
        Path otherKey = TestCertificates.keyPem(dir, "other-key.pem", other);
        Path missing = dir.resolve("missing.pem");
        Path pkcs1 = Files.writeString(dir.resolve("rsa.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        Path encrypted = Files.writeString(dir.resolve("enc.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");

        assertThatThrownBy(() -> ChaosProxyServer.builder().tls(missing, key))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("tls certificate: " + missing + ": no such file");
        assertThatThrownBy(() -> ChaosProxyServer.builder().tls(key, key))
                .hasMessageStartingWith("tls certificate: " + key + ": no certificate in it");
        assertThatThrownBy(() -> ChaosProxyServer.builder().tls(cert, cert))
                .hasMessageStartingWith("tls key: " + cert + ": no private key in it");
        assertThatThrownBy(() -> ChaosProxyServer.builder().tls(cert, otherKey))
                .hasMessageStartingWith("tls key: " + otherKey + ": this key does not belong to the certificate in " + cert);
        assertThatThrownBy(() -> ChaosProxyServer.builder().tls(cert, pkcs1))
                .hasMessageContaining(pkcs1.toString()).hasMessageContaining("PKCS#8").hasMessageContaining("openssl pkcs8 -topk8");
        assertThatThrownBy(() -> ChaosProxyServer.builder().tls(cert, encrypted))
                .hasMessageContaining(encrypted.toString()).hasMessageContaining("encrypted");
    }

    private void startProxy(HeldCertificate listener, HeldCertificate issuer) throws Exception {
        backend.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("hello over tls").build();
            }
        });
        backend.start(0);
        Path cert = TestCertificates.certificatePem(dir, "listener.pem", listener);
        Path key = TestCertificates.keyPem(dir, "listener.key", listener);
        proxy = ChaosProxyServer.builder().tls(cert, key).upstream(backend.url("/").toString()).build().start();
    }

    /** The listener's certificate names localhost, so the client calls it by that name. */
    private Request get(String path) {
        return new Request.Builder().url("https://localhost:" + proxy.url().getPort() + path).build();
    }
}
