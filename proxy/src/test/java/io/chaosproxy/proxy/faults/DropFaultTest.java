package io.chaosproxy.proxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.PatternServer;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Drop faults as a client sees them: a reset or a closed connection before the response, after
 * the headers, or in the middle of the body; never a polite status, and the journal says so.
 */
class DropFaultTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int BODY = 100_000;
    private static final int CUT = 10_000;

    private final PatternServer backend = new PatternServer();
    private ChaosProxyServer proxy;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        backend.start();
        proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).seed(1).build().start();
        url = proxy.url();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    @Test
    void resetBeforeTheResponseIsAConnectionResetWithNoByteAtAll() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Drop(DropPoint.BEFORE_RESPONSE, 0, DropMode.RESET)).build());

        RawHttp.Ending ending = RawHttp.sendAndReadToEnd(url, "GET /bytes/10 HTTP/1.1\nHost: x", WAIT);

        assertThat(ending.end()).isEqualTo(RawHttp.End.RESET);
        assertThat(ending.received()).isEmpty();
        JournalEntry entry = onlyEntry();
        assertThat(entry.status()).isNull();
        assertThat(entry.faults()).containsExactly(rule.id());
        assertThat(entry.attempts()).isEmpty();
        assertThat(entry.error()).contains("reset").contains("before the response");
        assertThat(rule.fired()).isEqualTo(1);
    }

    @Test
    void closeBeforeTheResponseIsAnEndOfStreamWithNoByteAtAll() throws Exception {
        proxy.inject(FaultRule.builder(new Drop(DropPoint.BEFORE_RESPONSE, 0, DropMode.CLOSE)).build());

        RawHttp.Ending ending = RawHttp.sendAndReadToEnd(url, "GET /bytes/10 HTTP/1.1\nHost: x", WAIT);

        assertThat(ending.end()).isEqualTo(RawHttp.End.FIN);
        assertThat(ending.received()).isEmpty();
        JournalEntry entry = onlyEntry();
        assertThat(entry.status()).isNull();
        assertThat(entry.error()).contains("close");
    }

    @Test
    void resetAndCloseAreDifferentErrorsForAnHttpClient() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // a POST, which the JDK client never retries on its own, so each call is one exchange; without
        // a body, since a body still being written when the RST comes takes the reset's error (the
        // write fails), and the client's read then sees only an end of stream
        HttpRequest request = HttpRequest.newBuilder(url.resolve("/digest")).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.noBody()).build();

        InstalledRule reset = proxy.inject(FaultRule.builder(new Drop()).times(1).build());
        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(causes(e)).contains("Connection reset"));
        assertThat(reset.fired()).isEqualTo(1);

        proxy.inject(FaultRule.builder(new Drop(DropPoint.BEFORE_RESPONSE, 0, DropMode.CLOSE)).times(1).build());
        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(causes(e)).doesNotContain("Connection reset"));

        assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("both rules are spent: the next request goes through").isEqualTo(200);
        assertThat(proxy.journal().await(JournalQuery.ALL, 3, WAIT)).extracting(JournalEntry::status)
                .containsExactlyInAnyOrder(null, null, 200);
    }

    @Test
    void closeAfterTheHeadersGivesTheBackendsStatusAndNoBody() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Drop(DropPoint.AFTER_HEADERS, 0, DropMode.CLOSE)).build());

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /bytes/" + BODY + " HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Content-Length")).isEqualTo(Integer.toString(BODY));
            assertThat(reply.header("X-Request-Id")).isNotBlank();
            assertThat(reply.truncated()).isTrue();
            assertThat(reply.body()).isEmpty();
            assertThat(client.isClosedByPeer()).isTrue();
        }
        JournalEntry entry = onlyEntry();
        assertThat(entry.status()).as("the status the client got; the error says it was cut").isEqualTo(200);
        assertThat(entry.faults()).containsExactly(rule.id());
        assertThat(entry.attempts()).singleElement().satisfies(a -> assertThat(a.status()).isEqualTo(200));
        assertThat(entry.error()).contains("close").contains("after 0 body bytes");
    }

    @Test
    void resetAfterTheHeadersIsAConnectionResetWithNoBodyByte() throws Exception {
        proxy.inject(FaultRule.builder(new Drop(DropPoint.AFTER_HEADERS, 0, DropMode.RESET)).build());

        RawHttp.Ending ending = RawHttp.sendAndReadToEnd(url, "GET /bytes/" + BODY + " HTTP/1.1\nHost: x", WAIT);

        assertThat(ending.end()).isEqualTo(RawHttp.End.RESET);
        assertThat(ending.text()).startsWith("HTTP/1.1 200");
        assertThat(ending.bodyBytes()).isEmpty();
        assertThat(onlyEntry().status()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"content-length", "chunked"})
    void closeMidBodyDeliversExactlyAfterBytesThenEndOfStream(String framing) throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Drop(DropPoint.MID_BODY, CUT, DropMode.CLOSE)).build());
        String query = framing.equals("chunked") ? "?chunked" : "";

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /bytes/" + BODY + query + " HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.truncated()).isTrue();
            assertThat(reply.body()).hasSize(CUT);
            assertThat(reply.body()).isEqualTo(pattern(CUT));
            if (framing.equals("chunked")) {
                assertThat(reply.header("Transfer-Encoding")).isEqualTo("chunked");
            } else {
                assertThat(reply.header("Content-Length")).isEqualTo(Integer.toString(BODY));
            }
        }
        JournalEntry entry = onlyEntry();
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.faults()).containsExactly(rule.id());
        assertThat(entry.error()).contains("after " + CUT + " body bytes");
    }

    @Test
    void resetMidBodyIsAConnectionResetAndNeverMoreThanAfterBytes() throws Exception {
        proxy.inject(FaultRule.builder(new Drop(DropPoint.MID_BODY, CUT, DropMode.RESET)).build());

        RawHttp.Ending ending = RawHttp.sendAndReadToEnd(url, "GET /bytes/" + BODY + " HTTP/1.1\nHost: x", WAIT);

        assertThat(ending.end()).isEqualTo(RawHttp.End.RESET);
        assertThat(ending.text()).startsWith("HTTP/1.1 200");
        assertThat(ending.bodyBytes().length).isLessThanOrEqualTo(CUT);
        assertThat(onlyEntry().status()).isEqualTo(200);
    }

    @Test
    void midBodyDropAfterZeroBytesStillSendsTheHeaders() throws Exception {
        proxy.inject(FaultRule.builder(new Drop(DropPoint.MID_BODY, 0, DropMode.CLOSE)).build());

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /bytes/" + BODY + " HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.truncated()).isTrue();
            assertThat(reply.body()).isEmpty();
        }
    }

    @Test
    void bodyShorterThanAfterBytesArrivesWhole() throws Exception {
        proxy.inject(FaultRule.builder(new Drop(DropPoint.MID_BODY, CUT, DropMode.RESET)).build());

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /bytes/500 HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.truncated()).isFalse();
            assertThat(reply.body()).isEqualTo(pattern(500));
        }
        assertThat(onlyEntry().status()).isEqualTo(200);
    }

    @Test
    void aDropRuleForOnePathLeavesOtherRequestsOnTheSameProxyAlone() throws Exception {
        proxy.inject(FaultRule.builder(new Drop()).path("/bytes/13").build());

        try (RawHttp client = new RawHttp(url)) {
            RawHttp.Reply reply = client.send("GET /bytes/12 HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo(pattern(12));
        }
        assertThat(RawHttp.sendAndReadToEnd(url, "GET /bytes/13 HTTP/1.1\nHost: x", WAIT).end()).isEqualTo(RawHttp.End.RESET);
    }

    /**
     * A drop ends the client's connection and must also let go of the backend's response: an
     * upstream connection left open would never be reused or closed.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"after-headers", "mid-body"})
    void aDropLetsGoOfTheBackendConnection(String when) throws Exception {
        try (ServerSocket bigBodyBackend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            proxy.upstreams(List.of(URI.create("http://127.0.0.1:" + bigBodyBackend.getLocalPort() + "/")));
            Drop drop = when.equals("after-headers") ? new Drop(DropPoint.AFTER_HEADERS, 0, DropMode.CLOSE)
                    : new Drop(DropPoint.MID_BODY, 1_000, DropMode.RESET);
            proxy.inject(FaultRule.builder(drop).build());
            CompletableFuture<RawHttp.End> backendSaw = CompletableFuture.supplyAsync(() -> serveHalfABody(bigBodyBackend));

            RawHttp.Ending client = RawHttp.sendAndReadToEnd(url, "GET /big HTTP/1.1\nHost: x", WAIT);

            assertThat(client.end()).isIn(RawHttp.End.FIN, RawHttp.End.RESET);
            assertThat(backendSaw.get(15, TimeUnit.SECONDS)).as("how the proxy left the backend").isNotEqualTo(RawHttp.End.STILL_OPEN);
        }
    }

    /** Sends the head and 20 KB of a 1 MB body, then reports how the proxy's side of the connection ends. */
    private static RawHttp.End serveHalfABody(ServerSocket server) {
        try (Socket connection = server.accept()) {
            InputStream in = connection.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                head.write(in.read());
            }
            connection.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            connection.getOutputStream().write(new byte[20_000]);
            connection.getOutputStream().flush();
            return RawHttp.readToEnd(connection, Duration.ofSeconds(5)).end();
        } catch (IOException e) {
            return RawHttp.End.RESET;
        }
    }

    private JournalEntry onlyEntry() throws InterruptedException {
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, 1, WAIT);
        assertThat(entries).hasSize(1);
        return entries.get(0);
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        PatternServer.fill(bytes, 0, length);
        return bytes;
    }

    private static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }
}
