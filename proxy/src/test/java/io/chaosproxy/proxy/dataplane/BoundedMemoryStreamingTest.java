package io.chaosproxy.proxy.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.testing.ChildProxy;
import io.chaosproxy.proxy.testing.PatternServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bodies far larger than the proxy's heap pass through byte-exact: the proxy runs in its own JVM
 * with {@code -Xmx128m}, so holding a body in memory would fail with OutOfMemoryError.
 */
@Timeout(120)
class BoundedMemoryStreamingTest {
    private static final long ONE_GIB = 1L << 30;
    private static final long UPLOAD = 256L << 20;

    private static PatternServer backend;
    private static ChildProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new PatternServer().start();
        proxy = ChildProxy.start(List.of("-Xmx128m"),
                List.of("--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--upstream", backend.url().toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    @Test
    void oneGibDownloadArrivesByteExact() throws Exception {
        HttpURLConnection connection = open(proxy.proxyUrl().resolve("/bytes/" + ONE_GIB));
        assertThat(connection.getResponseCode()).isEqualTo(200);
        assertThat(connection.getHeaderField("Content-Length")).isEqualTo(Long.toString(ONE_GIB));
        PatternServer.Received received;
        try (InputStream in = connection.getInputStream()) {
            received = PatternServer.readPattern(in);
        }
        assertThat(received).isEqualTo(new PatternServer.Received(ONE_GIB, 0));
        assertThat(proxy.process().isAlive()).as("the proxy survived with a 128 MiB heap").isTrue();
    }

    @Test
    void chunkedDownloadOfUnknownLengthArrivesByteExact() throws Exception {
        long size = 64L << 20;
        HttpURLConnection connection = open(proxy.proxyUrl().resolve("/bytes/" + size + "?chunked"));
        assertThat(connection.getHeaderField("Transfer-Encoding")).isEqualTo("chunked");
        try (InputStream in = connection.getInputStream()) {
            assertThat(PatternServer.readPattern(in)).isEqualTo(new PatternServer.Received(size, 0));
        }
    }

    @Test
    void quarterGibUploadArrivesByteExact() throws Exception {
        HttpURLConnection connection = open(proxy.proxyUrl().resolve("/digest"));
        connection.setRequestMethod("PUT");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(UPLOAD);
        assertThat(upload(connection, UPLOAD)).isEqualTo(UPLOAD + " " + expectedDigest(UPLOAD));
    }

    @Test
    void chunkedUploadArrivesByteExact() throws Exception {
        long size = 32L << 20;
        HttpURLConnection connection = open(proxy.proxyUrl().resolve("/digest"));
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setChunkedStreamingMode(8192);
        assertThat(upload(connection, size)).isEqualTo(size + " " + expectedDigest(size));
    }

    private static String upload(HttpURLConnection connection, long size) throws Exception {
        try (OutputStream out = connection.getOutputStream()) {
            PatternServer.writePattern(out, size);
        }
        assertThat(connection.getResponseCode()).isEqualTo(200);
        try (InputStream in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static String expectedDigest(long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
            PatternServer.writePattern(out, size);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static HttpURLConnection open(URI uri) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(30_000);
        return connection;
    }
}
