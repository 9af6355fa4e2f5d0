package io.chaosproxy.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.reliability.support.Bodies;
import io.chaosproxy.proxy.testing.LocalSockets;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client that gives up while the proxy holds its request with a body (a POST under a hang or a
 * latency, either side) is noticed at once, whether it had sent all of its body or only part,
 * framed by Content-Length or chunked, over HTTP/1.1 or HTTP/2, closing with a FIN or a RST: the
 * exchange is journaled as given up, the proxy keeps no socket of it, and the request never
 * reaches the backend, not even when the rule goes. A held body whose client stays is forwarded
 * byte for byte once the hold ends, however large.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AbandonedUploadTest {
    private static final Duration NOTICE = Duration.ofSeconds(10);
    /** Longer than any test here runs: a latency this long can only end early. */
    private static final long LONG_MS = 120_000;

    /** What holds the request. */
    enum Holder {
        CLIENT_HANG, CLIENT_LATENCY, UPSTREAM_HANG, UPSTREAM_LATENCY;

        FaultRule rule() {
            return switch (this) {
                case CLIENT_HANG -> FaultRule.builder(new Hang()).build();
                case CLIENT_LATENCY -> FaultRule.builder(new Latency(LONG_MS, 0)).build();
                case UPSTREAM_HANG -> FaultRule.builder(new Hang()).target(Target.UPSTREAM).build();
                case UPSTREAM_LATENCY -> FaultRule.builder(new Latency(LONG_MS, 0)).target(Target.UPSTREAM).build();
            };
        }
    }

    /** How the client's socket ends. */
    enum Ending { FIN, RST }

    private MockWebServer backend;
    private ChaosProxyServer proxy;
    private URI url;

    @BeforeEach
    void start() throws Exception {
        backend = new MockWebServer();
        backend.start();
        for (int i = 0; i < 4; i++) {
            backend.enqueue(new MockResponse.Builder().body("ok").build());
        }
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).seed(5).build().start();
        url = proxy.url();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    static Stream<Arguments> http1Cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Holder holder : Holder.values()) {
            for (boolean chunked : new boolean[] {false, true}) {
                for (boolean wholeBody : new boolean[] {true, false}) {
                    for (Ending ending : Ending.values()) {
                        cases.add(Arguments.of(holder, chunked, wholeBody, ending));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, chunked {1}, whole body {2}, {3}")
    @MethodSource("http1Cases")
    void anHttp1ClientLeavingWithItsUploadHeldIsNoticedAtOnceAndNeverForwarded(Holder holder, boolean chunked,
                                                                                boolean wholeBody, Ending ending) throws Exception {
        InstalledRule rule = proxy.inject(holder.rule());
        byte[] body = bytes(7, 3_000);
        Socket client = new Socket(url.getHost(), url.getPort());
        OutputStream out = client.getOutputStream();
        String framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + body.length;
        out.write(("POST /orders HTTP/1.1\r\nHost: x\r\n" + framing + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        int sent = wholeBody ? body.length : body.length / 2;
        if (chunked) {
            out.write((Integer.toHexString(sent) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, sent);
            out.write((wholeBody ? "\r\n0\r\n\r\n" : "\r\n").getBytes(StandardCharsets.US_ASCII));
        } else {
            out.write(body, 0, sent);
        }
        out.flush();
        await("the rule held the request").atMost(NOTICE).until(() -> rule.fired() == 1);

        close(client, ending);

        assertGivenUp();
        proxy.faults().remove(rule.id());
        assertOnlyTheNextRequestReachesTheBackend();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Holder.class)
    void anHttp2ClientResettingItsUploadStreamIsNoticedAtOnceAndTheConnectionLivesOn(Holder holder) throws Exception {
        InstalledRule rule = proxy.inject(holder.rule());
        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            H2Frames h2 = new H2Frames(client.getOutputStream());
            h2.preface();
            h2.postHead(1, "/upload");
            h2.data(1, bytes(9, 2_000), false);
            await("the rule held the request").atMost(NOTICE).until(() -> rule.fired() == 1);

            h2.resetStream(1);

            JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, NOTICE).get(0);
            assertThat(entry.status()).isNull();
            assertThat(entry.error()).contains("gave up");
        }
        proxy.faults().remove(rule.id());
        assertOnlyTheNextRequestReachesTheBackend();
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("http2ClosingCases")
    void anHttp2ClientClosingItsConnectionWithAnUploadHeldIsNoticedAtOnce(Holder holder, Ending ending) throws Exception {
        InstalledRule rule = proxy.inject(holder.rule());
        Socket client = new Socket(url.getHost(), url.getPort());
        H2Frames h2 = new H2Frames(client.getOutputStream());
        h2.preface();
        h2.postHead(1, "/upload");
        h2.data(1, bytes(9, 2_000), true);
        await("the rule held the request").atMost(NOTICE).until(() -> rule.fired() == 1);

        close(client, ending);

        assertGivenUp();
        proxy.faults().remove(rule.id());
        assertOnlyTheNextRequestReachesTheBackend();
    }

    static Stream<Arguments> http2ClosingCases() {
        return Stream.of(Holder.values()).flatMap(holder -> Stream.of(Ending.values()).map(ending -> Arguments.of(holder, ending)));
    }

    /**
     * The held body is read ahead only up to a bound; beyond it the client waits (TCP flow control)
     * until the hold ends. Either way the backend gets exactly the client's bytes.
     */
    @ParameterizedTest(name = "chunked {0}, {1} bytes")
    @MethodSource("heldBodies")
    void aHeldUploadWhoseClientStaysIsForwardedByteForByteWhenTheHoldEnds(boolean chunked, int length) throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).build());
        byte[] body = bytes(11, length);
        try (RawHttp client = new RawHttp(url, 30_000)) {
            Thread upload = new Thread(() -> {
                try {
                    String framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + length;
                    client.send("POST /keep HTTP/1.1\nHost: x\n" + framing, chunked ? chunkedFraming(body) : body);
                } catch (IOException e) {
                    // the response read below fails with the reason
                }
            }, "held-upload");
            upload.start();
            await("the rule held the request").atMost(NOTICE).until(() -> rule.fired() == 1);
            proxy.faults().remove(rule.id());
            RawHttp.Reply reply = client.read(false);
            upload.join(30_000);
            assertThat(reply.status()).isEqualTo(200);
        }
        RecordedRequest received = backend.takeRequest(10, TimeUnit.SECONDS);
        assertThat(received).isNotNull();
        assertThat(received.getTarget()).isEqualTo("/keep");
        ByteString forwarded = received.getBody();
        assertThat(forwarded).isNotNull();
        assertThat(forwarded.size()).isEqualTo(length);
        assertThat(forwarded.sha256()).isEqualTo(ByteString.of(body).sha256());
    }

    /**
     * Memory stays bounded: of a large held upload the proxy reads only a bounded part ahead (the
     * kernel's socket buffers hold a little more), the client's writes stall, and once the hold
     * ends the whole body flows to the backend unaltered.
     */
    @Test
    void aLargeHeldUploadIsReadAheadOnlyUpToABoundThenForwardedWhole() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(new Hang()).build());
        int length = 40 * 1024 * 1024;
        AtomicLong written = new AtomicLong();
        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.setSoTimeout(30_000);
            Thread upload = new Thread(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    out.write(("POST /large HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    Bodies.Generator generator = new Bodies.Generator(13);
                    byte[] piece = new byte[64 * 1024];
                    for (int left = length; left > 0; left -= piece.length) {
                        generator.next(piece, 0, piece.length);
                        out.write(piece);
                        written.addAndGet(piece.length);
                    }
                    out.flush();
                } catch (IOException e) {
                    // the response read below fails with the reason
                }
            }, "large-held-upload");
            upload.start();
            await("the rule held the request").atMost(NOTICE).until(() -> rule.fired() == 1);
            long[] last = {-1};
            await("the client's writes stall").atMost(NOTICE).pollInterval(Duration.ofMillis(300)).until(() -> {
                long now = written.get();
                boolean stalled = now == last[0];
                last[0] = now;
                return stalled;
            });
            assertThat(written.get()).as("bytes the client could write while held (read ahead, plus socket buffers)")
                    .isLessThan(16L * 1024 * 1024);

            proxy.faults().remove(rule.id());
            String head = RawHttp.readOneResponse(client);
            upload.join(30_000);
            assertThat(head).startsWith("HTTP/1.1 200");
        }
        RecordedRequest received = backend.takeRequest(10, TimeUnit.SECONDS);
        assertThat(received).isNotNull();
        assertThat(received.getBody().size()).isEqualTo(length);
        assertThat(received.getBody().sha256().hex()).isEqualTo(Bodies.sha256(13, length));
    }

    static Stream<Arguments> heldBodies() {
        return Stream.of(Arguments.of(false, 3_000), Arguments.of(true, 3_000),
                Arguments.of(false, 3 * 1024 * 1024), Arguments.of(true, 3 * 1024 * 1024));
    }

    /**
     * A latency holds the upload, then an error rule answers while the client is still sending its
     * body: the client gets the whole answer (and then the connection closes, as it cannot carry
     * another request), and the backend nothing.
     */
    @Test
    void anAnswerMadeAfterAHoldWhileTheUploadIsStillComingReachesTheClientWhole() throws Exception {
        InstalledRule latency = proxy.inject(FaultRule.builder(new Latency(300, 0)).build());
        proxy.inject(FaultRule.builder(new io.chaosproxy.faults.ErrorResponse(503, "held then refused", java.util.Map.of())).build());
        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("POST /partial HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part"
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Ending ending = RawHttp.readToEnd(client, Duration.ofSeconds(10));
            assertThat(latency.fired()).isEqualTo(1);
            assertThat(ending.text()).startsWith("HTTP/1.1 503 ");
            assertThat(new String(ending.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("held then refused");
            assertThat(ending.text()).as("the body read ahead is half in: the answer says the connection ends")
                    .contains("\r\nConnection: close\r\n");
            assertThat(ending.end()).as("a FIN after the whole answer, never a reset").isEqualTo(RawHttp.End.FIN);
        }
        assertThat(backend.getRequestCount()).isZero();
    }

    /**
     * Broken framing in a held body: found as the body is read ahead, answered 400 at once (the
     * hold ends, as it does for a client that left), and never forwarded, not even its head.
     */
    @Test
    void aHeldUploadWithBrokenChunkFramingIsAnswered400AndNeverForwarded() throws Exception {
        InstalledRule hang = proxy.inject(FaultRule.builder(new Hang()).build());
        try (Socket client = new Socket(url.getHost(), url.getPort())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("POST /broken HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            await("the hang held the request").atMost(NOTICE).until(() -> hang.fired() == 1);
            RawHttp.Ending ending = RawHttp.readToEnd(client, Duration.ofSeconds(10));
            assertThat(ending.text()).startsWith("HTTP/1.1 400 ");
            assertThat(ending.end()).isEqualTo(RawHttp.End.FIN);
        }
        assertThat(proxy.journal().query(JournalQuery.ALL.withPath("/broken")).get(0).status()).isEqualTo(400);
        proxy.faults().remove(hang.id());
        assertOnlyTheNextRequestReachesTheBackend();
    }

    @Test
    void aClientLeavingWhileTheBackendIsSlowToAnswerItsPostIsNoticed() throws Exception {
        backend.close();
        java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        backend = new MockWebServer();
        backend.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getTarget().equals("/slow")) {
                    arrived.countDown();
                    release.await(30, TimeUnit.SECONDS);
                }
                return new MockResponse.Builder().body("ok").build();
            }
        });
        backend.start();
        proxy.upstreams(List.of(backend.url("/").uri()));
        try {
            Socket client = new Socket(url.getHost(), url.getPort());
            client.getOutputStream().write("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
            assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
            close(client, Ending.FIN);
            assertGivenUp();
        } finally {
            release.countDown();
        }
    }

    private static byte[] bytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new Bodies.Generator(seed).next(bytes, 0, length);
        return bytes;
    }

    private static byte[] chunkedFraming(byte[] body) {
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        int chunk = 10_000;
        for (int at = 0; at < body.length; at += chunk) {
            int n = Math.min(chunk, body.length - at);
            framed.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            framed.write(body, at, n);
            framed.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        framed.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return framed.toByteArray();
    }

    private static void close(Socket client, Ending ending) throws IOException {
        if (ending == Ending.RST) {
            client.setSoLinger(true, 0);
        }
        client.close();
    }

    private void assertGivenUp() throws InterruptedException {
        JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, NOTICE).get(0);
        assertThat(entry.status()).as("nothing was answered").isNull();
        assertThat(entry.error()).contains("gave up");
        await("no proxy socket left in CLOSE-WAIT").atMost(NOTICE).until(() -> LocalSockets.closeWaitOn(url.getPort()) == 0);
    }

    private void assertOnlyTheNextRequestReachesTheBackend() throws Exception {
        int before = backend.getRequestCount();
        try (RawHttp next = new RawHttp(url)) {
            assertThat(next.send("GET /next HTTP/1.1\nHost: x", null).read(false).status()).isEqualTo(200);
        }
        assertThat(backend.getRequestCount()).as("only the next request reached the backend").isEqualTo(before + 1);
        assertThat(backend.takeRequest().getTarget()).isEqualTo("/next");
    }

    /** Just enough HTTP/2 (prior knowledge, no HPACK indexing) to send a POST and end it at will. */
    private static final class H2Frames {
        private final OutputStream out;

        H2Frames(OutputStream out) {
            this.out = out;
        }

        void preface() throws IOException {
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(4, 0, 0, new byte[0]); // SETTINGS, all defaults
        }

        void postHead(int stream, String path) throws IOException {
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            literal(block, ":method", "POST");
            literal(block, ":scheme", "http");
            literal(block, ":path", path);
            literal(block, ":authority", "x");
            frame(1, 0x4, stream, block.toByteArray()); // HEADERS, END_HEADERS, body follows
        }

        void data(int stream, byte[] bytes, boolean last) throws IOException {
            frame(0, last ? 0x1 : 0, stream, bytes);
        }

        void resetStream(int stream) throws IOException {
            frame(3, 0, stream, new byte[] {0, 0, 0, 8}); // RST_STREAM, CANCEL
        }

        /** A literal header field without indexing, new name (RFC 7541 section 6.2.2); short strings only. */
        private static void literal(ByteArrayOutputStream block, String name, String value) {
            block.write(0);
            block.write(name.length());
            block.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
            block.write(value.length());
            block.writeBytes(value.getBytes(StandardCharsets.US_ASCII));
        }

        private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
            int length = payload.length;
            out.write(new byte[] {(byte) (length >>> 16), (byte) (length >>> 8), (byte) length, (byte) type, (byte) flags,
                    (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream});
            out.write(payload);
            out.flush();
        }
    }
}
