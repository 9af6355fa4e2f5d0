package io.chaosproxy.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.proxy.protocols.TestCertificates;
import io.chaosproxy.proxy.testing.ChildProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls-cert}, {@code --tls-key}, {@code --upstream-ca} and {@code --upstream-insecure} as a CI pipeline uses them. */
@Timeout(120)
class ProtocolOptionsCliTest {
    private static final List<String> FREE_PORTS = List.of("--listen", "127.0.0.1:0", "--control", "127.0.0.1:0");
    private static final HeldCertificate CA = TestCertificates.ca("cli CA");
    private static final HeldCertificate SERVER = TestCertificates.server(CA, false);

    @TempDir
    Path dir;

    @Test
    void badTlsOptionsExitWithTwoAndOneLineNamingTheOptionAndTheFile() throws Exception {
        Path cert = TestCertificates.certificatePem(dir, "cert.pem", SERVER);
        Path otherKey = TestCertificates.keyPem(dir, "other.key", TestCertificates.server(CA, false));
        Path missing = dir.resolve("missing.pem");
        Path notes = Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
        record Case(List<String> args, List<String> mentions) {}
        for (Case bad : List.of(
                new Case(List.of("--tls-cert", cert.toString()), List.of("--tls-key", "missing")),
                new Case(List.of("--tls-key", otherKey.toString()), List.of("--tls-cert", "missing")),
                new Case(List.of("--tls-cert", cert.toString(), "--tls-key", otherKey.toString()), List.of("--tls-key", otherKey.toString())),
                new Case(List.of("--tls-cert", missing.toString(), "--tls-key", otherKey.toString()), List.of("--tls-cert", missing.toString())),
                new Case(List.of("--upstream-ca", missing.toString()), List.of("--upstream-ca", missing.toString(), "no such file")),
                new Case(List.of("--upstream-ca", notes.toString()), List.of("--upstream-ca", notes.toString(), "no certificate")),
                new Case(List.of("--upstream-ca", cert.toString(), "--upstream-insecure"), List.of("--upstream-insecure", "--upstream-ca")))) {
            ChildProxy.Result result = ChildProxy.run(bad.args(), Duration.ofSeconds(30));
            assertThat(result.exitCode()).as(bad.args().toString()).isEqualTo(2);
            assertThat(result.output().strip().lines()).as(bad.args().toString()).hasSize(1);
            for (String mention : bad.mentions()) {
                assertThat(result.output()).as(bad.args().toString()).contains(mention);
            }
        }
    }

    @Test
    void anHttpsListenerInFrontOfAnHttpsBackendTrustedThroughItsCa() throws Exception {
        Path cert = TestCertificates.certificatePem(dir, "cert.pem", SERVER);
        Path key = TestCertificates.keyPem(dir, "key.pem", SERVER);
        Path ca = TestCertificates.certificatePem(dir, "ca.pem", CA);
        try (MockWebServer backend = new MockWebServer()) {
            backend.useHttps(TestCertificates.serving(SERVER, CA).sslSocketFactory());
            backend.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
            backend.enqueue(new MockResponse.Builder().body("through both").build());
            backend.start(0);
            List<String> args = new ArrayList<>(FREE_PORTS);
            args.addAll(List.of("--tls-cert", cert.toString(), "--tls-key", key.toString(), "--upstream-ca", ca.toString(),
                    "--upstream", backend.url("/").toString()));
            try (ChildProxy proxy = ChildProxy.start(List.of(), args)) {
                OkHttpClient client = TestCertificates.clientTrusting(CA).build();
                Request request = new Request.Builder().url("https://localhost:" + proxy.proxyUrl().getPort() + "/cli").build();
                try (Response response = client.newCall(request).execute()) {
                    assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
                    assertThat(response.body().string()).isEqualTo("through both");
                }
                RecordedRequest seen = backend.takeRequest(10, TimeUnit.SECONDS);
                assertThat(seen.getVersion()).isEqualTo("HTTP/2");
                assertThat(seen.getHeaders().get("X-Forwarded-Proto")).isEqualTo("https");
                assertThat(proxy.output()).contains("ready").contains("https://127.0.0.1:" + proxy.proxyUrl().getPort());
                assertThat(proxy.output()).doesNotContain("WARN");
            }
        }
    }

    @Test
    void insecurePrintsAWarningAtStartAndStatusShowsIt() throws Exception {
        List<String> args = new ArrayList<>(FREE_PORTS);
        args.add("--upstream-insecure");
        try (ChildProxy proxy = ChildProxy.start(List.of(), args)) {
            assertThat(proxy.output().lines().filter(line -> line.contains("WARN"))).singleElement()
                    .satisfies(line -> assertThat(line).contains("--upstream-insecure").contains("NOT verified"));
            OkHttpClient client = new OkHttpClient();
            try (Response status = client.newCall(new Request.Builder().url(proxy.controlUrl().resolve("/status").toString()).build()).execute()) {
                JsonNode tls = new ObjectMapper().readTree(status.body().string()).get("tls");
                assertThat(tls.get("upstream").get("insecure").asBoolean()).isTrue();
                assertThat(tls.get("listener").isNull()).isTrue();
            }
        }
    }
}
