package io.chaosproxy.junit;

import static io.chaosproxy.junit.Faults.error;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A service that only speaks HTTPS, in front of an HTTPS backend with a private CA: configured in code. */
class TlsTest {
    private static final HeldCertificate CA = new HeldCertificate.Builder().commonName("test CA").certificateAuthority(0).build();
    private static final HeldCertificate LOCALHOST = new HeldCertificate.Builder()
            .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").signedBy(CA).build();
    private static final Path PEMS = pems();

    @RegisterExtension
    static final ChaosProxy proxy = ChaosProxy.builder()
            .tls(PEMS.resolve("cert.pem"), PEMS.resolve("key.pem"))
            .upstreamCa(PEMS.resolve("ca.pem"))
            .build();

    private final MockWebServer backend = new MockWebServer();
    private final HandshakeCertificates trustingCa = new HandshakeCertificates.Builder()
            .addTrustedCertificate(CA.certificate()).build();
    private final OkHttpClient client = new OkHttpClient.Builder()
            .sslSocketFactory(trustingCa.sslSocketFactory(), trustingCa.trustManager()).build();

    @BeforeEach
    void startBackend() throws IOException {
        backend.useHttps(new HandshakeCertificates.Builder().heldCertificate(LOCALHOST, CA.certificate()).build().sslSocketFactory());
        backend.start(0);
        proxy.upstream(backend.url("/"));
    }

    @AfterEach
    void stopBackend() {
        backend.close();
    }

    @Test
    void theProxyIsReachedOverHttpsAndTrustsTheBackendsCa() throws IOException {
        backend.enqueue(new MockResponse.Builder().body("secret").build());
        assertThat(proxy.url().getScheme()).isEqualTo("https");
        try (Response response = client.newCall(new Request.Builder().url(proxy.url().resolve("/vault").toString()).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).isEqualTo("secret");
            assertThat(response.handshake()).isNotNull();
        }
        proxy.requests().toPath("/vault").withStatus(200).assertCount(1);
    }

    @Test
    void faultsWorkTheSameOverHttps() throws IOException {
        proxy.inject(error(503));
        try (Response response = client.newCall(new Request.Builder().url(proxy.url().resolve("/vault").toString()).build()).execute()) {
            assertThat(response.code()).isEqualTo(503);
        }
        assertThat(backend.getRequestCount()).isZero();
    }

    private static Path pems() {
        try {
            Path dir = Files.createTempDirectory("chaos-proxy-tls-test");
            dir.toFile().deleteOnExit(); // registered first, so deleted last: once the files are gone
            Files.writeString(dir.resolve("cert.pem"), LOCALHOST.certificatePem() + CA.certificatePem());
            Files.writeString(dir.resolve("key.pem"), LOCALHOST.privateKeyPkcs8Pem());
            Files.writeString(dir.resolve("ca.pem"), CA.certificatePem());
            for (String name : new String[] {"cert.pem", "key.pem", "ca.pem"}) {
                dir.resolve(name).toFile().deleteOnExit();
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
