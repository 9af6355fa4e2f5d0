package io.chaosproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.proxy.protocols.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config file's {@code tls} and {@code upstreamTls} sections: files relative to the config, errors naming the field. */
class TlsConfigTest {
    private static final HeldCertificate CA = TestCertificates.ca("config CA");
    private static final HeldCertificate LISTENER = TestCertificates.server(CA, false);

    @TempDir
    Path dir;

    @Test
    void readsListenerTlsAndUpstreamCaRelativeToTheConfigFile() throws Exception {
        TestCertificates.certificatePem(dir, "proxy.pem", LISTENER);
        TestCertificates.keyPem(dir, "proxy.key", LISTENER);
        TestCertificates.certificatePem(dir, "ca.pem", CA);
        ConfigFile config = read("chaos.yaml", """
                tls: {cert: proxy.pem, key: proxy.key}
                upstreamTls: {ca: ca.pem}
                """);
        assertThat(config.tls().certFile()).isEqualTo(dir.resolve("proxy.pem"));
        assertThat(config.tls().chain()).containsExactly(LISTENER.certificate());
        assertThat(config.upstreamTls().caFile()).isEqualTo(dir.resolve("ca.pem"));
        assertThat(config.upstreamTls().extraCas()).containsExactly(CA.certificate());
        assertThat(config.upstreamTls().insecure()).isFalse();
    }

    @Test
    void readsInsecureFromJson() throws Exception {
        ConfigFile config = read("chaos.json", "{\"upstreamTls\": {\"insecure\": true}}");
        assertThat(config.upstreamTls().insecure()).isTrue();
        assertThat(config.tls()).isNull();
    }

    @Test
    void absentSectionsAreNull() throws Exception {
        ConfigFile config = read("chaos.yaml", "seed: 1\n");
        assertThat(config.tls()).isNull();
        assertThat(config.upstreamTls()).isNull();
    }

    @Test
    void errorsNameTheFieldAndTheFile() throws Exception {
        TestCertificates.certificatePem(dir, "proxy.pem", LISTENER);
        TestCertificates.certificatePem(dir, "ca.pem", CA);
        Files.writeString(dir.resolve("notes.txt"), "not pem\n");
        assertError("tls: {cert: proxy.pem}\n", "tls.key", "chaos.yaml: tls.key is required");
        assertError("tls: {cert: missing.pem, key: proxy.pem}\n", "tls.cert",
                "chaos.yaml: tls.cert: " + dir.resolve("missing.pem") + ": no such file");
        assertError("tls: {cert: proxy.pem, key: proxy.pem}\n", "tls.key",
                "chaos.yaml: tls.key: " + dir.resolve("proxy.pem") + ": no private key in it");
        assertError("tls: {cert: proxy.pem, key: proxy.key, alpn: h2}\n", "tls.alpn", "chaos.yaml: unknown field \"tls.alpn\"");
        assertError("upstreamTls: {ca: notes.txt}\n", "upstreamTls.ca",
                "chaos.yaml: upstreamTls.ca: " + dir.resolve("notes.txt") + ": no certificate in it");
        assertError("upstreamTls: {ca: ca.pem, insecure: true}\n", "upstreamTls.insecure",
                "chaos.yaml: upstreamTls.insecure: true and upstreamTls.ca contradict each other");
        assertError("upstreamTls: {insecure: yes please}\n", "upstreamTls.insecure",
                "chaos.yaml: upstreamTls.insecure must be true or false");
        assertError("upstreamTLS: {insecure: true}\n", "upstreamTLS", "chaos.yaml: unknown field \"upstreamTLS\" (did you mean \"upstreamTls\"?)");
    }

    private void assertError(String yaml, String field, String messageStart) {
        assertThatThrownBy(() -> read("chaos.yaml", yaml))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageStartingWith(dir.resolve(messageStart).toString());
    }

    private ConfigFile read(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return ConfigFile.read(file);
    }
}
