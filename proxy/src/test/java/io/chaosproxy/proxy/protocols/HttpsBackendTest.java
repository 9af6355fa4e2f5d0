package io.chaosproxy.proxy.protocols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HeldCertificate;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code https://} backends: checked against the JVM's trust store by default, against an added CA
 * when given one, not at all only when told to; and HTTP/2 whenever the backend offers it.
 */
class HttpsBackendTest {
    private static final byte[] BODY = new byte[200_000];

    static {
        new Random(42).nextBytes(BODY);
    }

    private static final HeldCertificate CA = TestCertificates.ca("chaos-proxy test CA");
    private static final HeldCertificate SIGNED = TestCertificates.server(CA, false);

    @TempDir
    Path dir;

    private final MockWebServer backend = new MockWebServer();
    private final OkHttpClient client = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
    private ChaosProxyServer proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
    }

    @Test
    void aBackendWhoseCertificateTheJvmDoesNotTrustGetsA502SayingWhy() throws Exception {
        startBackend(SIGNED, CA, List.of(Protocol.HTTP_1_1));
        proxy = oneAttempt(ChaosProxyServer.builder()).build().start();

        try (Response response = client.newCall(get("/orders")).execute()) {
            assertThat(response.code()).isEqualTo(502);
            assertThat(response.body().string()).contains("backend " + backendUrl()).contains("PKIX path building failed");
        }
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void withTheBackendsCaAddedTheBodyArrivesByteForByte() throws Exception {
        startBackend(SIGNED, CA, List.of(Protocol.HTTP_1_1));
        Path caPem = TestCertificates.certificatePem(dir, "ca.pem", CA);
        proxy = ChaosProxyServer.builder().upstreamCa(caPem).upstream(backendUrl()).build().start();

        try (Response response = client.newCall(get("/bytes?n=1")).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().bytes()).isEqualTo(BODY);
        }
        RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
        assertThat(seen.getTarget()).isEqualTo("/bytes?n=1");
        assertThat(seen.getHandshake()).isNotNull();
        assertThat(proxy.upstreamTls().extraCas()).hasSize(1);
    }

    @Test
    void hostNamesAreStillCheckedForABackendSignedByTheAddedCa() throws Exception {
        startBackend(TestCertificates.server(CA, false, "not-this-host.example"), CA, List.of(Protocol.HTTP_1_1));
        Path caPem = TestCertificates.certificatePem(dir, "ca.pem", CA);
        proxy = oneAttempt(ChaosProxyServer.builder().upstreamCa(caPem)).build().start();

        try (Response response = client.newCall(get("/orders")).execute()) {
            assertThat(response.code()).isEqualTo(502);
            assertThat(response.body().string()).containsIgnoringCase("hostname");
        }
    }

    @Test
    void insecureTrustsASelfSignedBackendAndSaysSoInStatus() throws Exception {
        HeldCertificate selfSigned = TestCertificates.server(null, true);
        startBackend(selfSigned, null, List.of(Protocol.HTTP_1_1));
        proxy = ChaosProxyServer.builder().upstreamInsecure(true).upstream(backendUrl()).control("127.0.0.1:0").build().start();

        try (Response response = client.newCall(get("/bytes")).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().bytes()).isEqualTo(BODY);
        }
        try (Response status = client.newCall(new Request.Builder().url(proxy.controlUrl().resolve("/status").toString()).build()).execute()) {
            JsonNode upstream = new ObjectMapper().readTree(status.body().string()).get("tls").get("upstream");
            assertThat(upstream.get("insecure").asBoolean()).isTrue();
            assertThat(upstream.get("trust").asText()).startsWith("INSECURE");
        }
    }

    @Test
    void byDefaultASelfSignedBackendIsRefused() throws Exception {
        startBackend(TestCertificates.server(null, false), null, List.of(Protocol.HTTP_1_1));
        proxy = oneAttempt(ChaosProxyServer.builder()).build().start();

        try (Response response = client.newCall(get("/")).execute()) {
            assertThat(response.code()).isEqualTo(502);
        }
        assertThat(proxy.upstreamTls().insecure()).isFalse();
    }

    @Test
    void aTlsBackendThatOffersHttp2IsSpokenToOverHttp2() throws Exception {
        startBackend(SIGNED, CA, List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
        proxy = ChaosProxyServer.builder().upstreamCa(TestCertificates.certificatePem(dir, "ca.pem", CA))
                .upstream(backendUrl()).build().start();

        for (int i = 0; i < 3; i++) {
            try (Response response = client.newCall(get("/bytes/" + i)).execute()) {
                assertThat(response.protocol()).as("client to proxy").isEqualTo(Protocol.HTTP_1_1);
                assertThat(response.code()).isEqualTo(200);
                // HTTP/2 response headers are lowercase; they must arrive all the same
                assertThat(response.header("X-Backend")).isEqualTo("tls");
                assertThat(response.body().bytes()).isEqualTo(BODY);
            }
            RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
            assertThat(seen.getVersion()).as("proxy to backend").isEqualTo("HTTP/2");
            // mockwebserver lists the pseudo-headers it received among the headers
            assertThat(seen.getHeaders().get(":authority")).isEqualTo(backend.getHostName() + ":" + backend.getPort());
            assertThat(seen.getHeaders().get("Connection")).isNull();
        }
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, 3, Duration.ofSeconds(10));
        assertThat(entries).allSatisfy(entry -> assertThat(entry.status()).isEqualTo(200));
    }

    @Test
    void aCaFileThatIsMissingOrHoldsNoCertificateIsRefusedNamingTheFile() throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> ChaosProxyServer.builder().upstreamCa(missing))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(missing + ": no such file");
        Path notPem = Files.writeString(dir.resolve("notes.txt"), "just some text\n");
        assertThatThrownBy(() -> ChaosProxyServer.builder().upstreamCa(notPem))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(notPem + ": no certificate in it");
        Path keyOnly = TestCertificates.keyPem(dir, "key.pem", SIGNED);
        assertThatThrownBy(() -> ChaosProxyServer.builder().upstreamCa(keyOnly))
                .hasMessageStartingWith(keyOnly + ": no certificate in it");
        Path garbled = Files.writeString(dir.resolve("garbled.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> ChaosProxyServer.builder().upstreamCa(garbled))
                .hasMessageStartingWith(garbled + ": certificate 1 is not a valid X.509 certificate");
    }

    @Test
    void insecureTogetherWithACaFileIsAContradiction() {
        Path caPem = TestCertificates.certificatePem(dir, "ca.pem", CA);
        assertThatThrownBy(() -> ChaosProxyServer.builder().upstreamCa(caPem).upstreamInsecure(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--upstream-insecure").hasMessageContaining("--upstream-ca");
    }

    private void startBackend(HeldCertificate certificate, HeldCertificate issuer, List<Protocol> protocols) throws Exception {
        backend.useHttps(TestCertificates.serving(certificate, issuer).sslSocketFactory());
        backend.setProtocols(protocols);
        backend.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().addHeader("X-Backend", "tls").body(new Buffer().write(BODY)).build();
            }
        });
        backend.start(0);
    }

    private ChaosProxyServer.Builder oneAttempt(ChaosProxyServer.Builder builder) {
        // one attempt, no breaker: the first answer is the whole story
        return builder.upstream(backendUrl())
                .resilience(ResilienceSettings.builder().maxAttempts(1).breakerFailures(0).build());
    }

    private String backendUrl() {
        return backend.url("/").toString();
    }

    private Request get(String path) {
        return new Request.Builder().url(proxy.url().resolve(path).toString()).build();
    }
}
