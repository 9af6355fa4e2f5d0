package io.chaosproxy.proxy.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Bandwidth;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.RawHttp;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.tls.HeldCertificate;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket through the proxy, end to end: an OkHttp WebSocket client, the proxy, and a
 * mockwebserver3 WebSocket backend, all on loopback. Each test asserts what the client and the
 * backend actually saw.
 */
class WebSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MockWebServer backend = new MockWebServer();
    private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ZERO).build();
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend.start(InetAddress.getLoopbackAddress(), 0);
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).build().start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
        client.dispatcher().executorService().shutdownNow();
        client.connectionPool().evictAll();
    }

    @Test
    void messagesSubprotocolAndIdentityPassBothWays() throws Exception {
        backend.enqueue(new MockResponse.Builder()
                .addHeader("Sec-WebSocket-Protocol", "superchat")
                .addHeader("Set-Cookie", "session=abc")
                .webSocketUpgrade(new Echo())
                .build());
        Events events = new Events();
        WebSocket socket = client.newWebSocket(new Request.Builder()
                .url(proxyUrl("/ws/chat?room=7"))
                .header("Sec-WebSocket-Protocol", "chat, superchat")
                .header("X-Request-Id", "ws-test-1")
                .build(), events);

        Response handshake = events.opened();
        assertThat(handshake.code()).isEqualTo(101);
        assertThat(handshake.header("Sec-WebSocket-Protocol")).isEqualTo("superchat");
        assertThat(handshake.header("Set-Cookie")).isEqualTo("session=abc");
        assertThat(handshake.header("X-Request-Id")).isEqualTo("ws-test-1");

        RecordedRequest atBackend = backend.takeRequest(5, TimeUnit.SECONDS);
        assertThat(atBackend.getTarget()).isEqualTo("/ws/chat?room=7");
        assertThat(atBackend.getHeaders().get("X-Request-Id")).isEqualTo("ws-test-1");
        assertThat(atBackend.getHeaders().get("Sec-WebSocket-Protocol")).isEqualTo("chat, superchat");
        assertThat(atBackend.getHeaders().get("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(atBackend.getHeaders().get("traceparent")).isNotNull();

        socket.send("héllo ✓");
        assertThat(events.next()).isEqualTo("text:héllo ✓");
        socket.send("");
        assertThat(events.next()).isEqualTo("text:");
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        socket.send(ByteString.of(everyByte));
        assertThat(events.next()).isEqualTo("bytes:" + ByteString.of(everyByte).hex());
        byte[] large = new byte[1024 * 1024]; // far beyond Jetty's 64 KiB default message limit
        new Random(7).nextBytes(large);
        socket.send(ByteString.of(large));
        assertThat(events.next()).isEqualTo("bytes:" + ByteString.of(large).hex());

        socket.close(1000, "bye");
        assertThat(events.next()).isEqualTo("closing:1000:bye");
        JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, WAIT).get(0);
        assertThat(entry.requestId()).isEqualTo("ws-test-1");
        assertThat(entry.status()).isEqualTo(101);
        assertThat(entry.path()).isEqualTo("/ws/chat");
        assertThat(entry.attempts()).singleElement().satisfies(attempt -> assertThat(attempt.status()).isEqualTo(101));
    }

    @Test
    void closeCodesAndReasonsPassBothWays() throws Exception {
        Echo closedByBackend = new Echo();
        Echo echo = new Echo();
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(closedByBackend).build());
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(echo).build());

        Events first = new Events();
        WebSocket socket = client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), first);
        first.opened();
        socket.send("close-me"); // the backend closes with 4001
        assertThat(first.next()).isEqualTo("closing:4001:backend says bye");
        socket.close(4001, "client agrees"); // the client's answer reaches the backend
        assertThat(closedByBackend.closes.poll(5, TimeUnit.SECONDS)).isEqualTo("4001:client agrees");

        Events second = new Events();
        WebSocket other = client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), second);
        second.opened();
        other.close(4002, "client says bye");
        assertThat(echo.closes.poll(5, TimeUnit.SECONDS)).isEqualTo("4002:client says bye");
        assertThat(proxy.journal().await(JournalQuery.ALL, 2, WAIT)).extracting(JournalEntry::status).containsExactly(101, 101);
    }

    @Test
    void pingsAreAnsweredSoAQuietSessionStaysOpen() throws Exception {
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(new Echo()).build());
        // OkHttp fails the session when a ping's pong has not come back by the next ping
        OkHttpClient pinging = client.newBuilder().pingInterval(Duration.ofMillis(500)).build();
        Events events = new Events();
        WebSocket socket = pinging.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        events.opened();
        assertThat(events.poll(Duration.ofMillis(2500))).as("nothing but pongs while quiet").isNull();
        socket.send("still here");
        assertThat(events.next()).isEqualTo("text:still here");
        socket.close(1000, null);
    }

    @Test
    void latencyDelaysTheHandshakeAndEachBackendMessageInOrder() throws Exception {
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(new Echo()).build());
        proxy.inject(FaultRule.builder(new Latency(300, 0)).build());
        Events events = new Events();
        long start = System.nanoTime();
        WebSocket socket = client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        events.opened();
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(300);

        for (int i = 0; i < 2; i++) { // each message on its own: every one of them is late
            long sent = System.nanoTime();
            socket.send("alone" + i);
            assertThat(events.next()).isEqualTo("text:alone" + i);
            assertThat(millisSince(sent)).isBetween(300L, 3_000L);
        }
        for (int i = 0; i < 5; i++) { // a burst keeps its order
            socket.send("m" + i);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(events.next()).isEqualTo("text:m" + i);
        }
        socket.close(1000, null);
    }

    @Test
    void bandwidthPacesTheBackendsMessages() throws Exception {
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(new Echo()).build());
        proxy.inject(FaultRule.builder(new Bandwidth(2048)).build());
        Events events = new Events();
        WebSocket socket = client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        events.opened();
        long sent = System.nanoTime();
        String kib = "x".repeat(1024);
        for (int i = 0; i < 3; i++) {
            socket.send(kib); // 3 KiB at 2 KiB/s: the last one cannot arrive before 1.5 s
        }
        for (int i = 0; i < 3; i++) {
            assertThat(events.next()).isEqualTo("text:" + kib);
        }
        assertThat(millisSince(sent)).isBetween(1_400L, 5_000L);
        socket.close(1000, null);
    }

    @Test
    void anErrorFaultAnswersInsteadOfTheUpgrade() throws Exception {
        proxy.inject(FaultRule.builder(new ErrorResponse(503, "busy", Map.of("Retry-After", "2"))).build());
        Events events = new Events();
        client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).header("X-Request-Id", "refused-1").build(), events);
        Response answer = events.failedWith();
        assertThat(answer.code()).isEqualTo(503);
        assertThat(answer.header("Retry-After")).isEqualTo("2");
        assertThat(answer.header("X-Request-Id")).isEqualTo("refused-1");
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void aMidSessionDropCutsTheClientOnceThatManyMessageBytesReachedIt() throws Exception {
        // the backend then goes quiet: the cut must not wait for a message that never comes
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(new Greeter("aaaa", "bbbb")).build());
        proxy.inject(FaultRule.builder(new Drop(DropPoint.MID_BODY, 8, DropMode.RESET)).build());
        Events events = new Events();
        client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        events.opened();
        assertThat(events.next()).isEqualTo("text:aaaa");
        assertThat(events.next()).isEqualTo("text:bbbb");
        assertThat(events.next()).startsWith("failure:"); // no close frame: the connection is gone
        JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, WAIT).get(0);
        assertThat(entry.status()).isNull();
        assertThat(entry.error()).contains("dropped (reset) after 8 message bytes");
    }

    @Test
    void aCutInsideAMessageLeavesTheClientWithoutThatMessage() throws Exception {
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(new Greeter("aaaa", "bbbb", "cccc")).build());
        proxy.inject(FaultRule.builder(new Drop(DropPoint.MID_BODY, 6, DropMode.CLOSE)).build());
        Events events = new Events();
        client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        events.opened();
        assertThat(events.next()).isEqualTo("text:aaaa");
        assertThat(events.next()).startsWith("failure:"); // "bb" of the second arrived, never a whole message
        assertThat(proxy.journal().await(JournalQuery.ALL, 1, WAIT).get(0).error()).contains("after 6 message bytes");
    }

    @Test
    void aClientThatVanishesTakesTheBackendSessionWithIt() throws Exception {
        Echo echo = new Echo();
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(echo).build());
        Events events = new Events();
        WebSocket socket = client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        events.opened();
        socket.send("hello");
        assertThat(events.next()).isEqualTo("text:hello");
        socket.cancel(); // no close frame: the TCP connection just ends
        assertThat(echo.failures.poll(5, TimeUnit.SECONDS)).as("the backend's session ends too").isNotNull();
        assertThat(proxy.journal().await(JournalQuery.ALL, 1, WAIT)).hasSize(1);
    }

    @Test
    void anUpstreamErrorAnswersInTheBackendsPlace() throws Exception {
        proxy.inject(FaultRule.builder(new ErrorResponse(503, "upstream says no", Map.of())).target(Target.UPSTREAM).build());
        Events events = new Events();
        client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        assertThat(events.failedWith().code()).isEqualTo(503);
        assertThat(events.failureBody).isEqualTo("upstream says no");
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void aDropAfterTheHeadersEndsTheSessionRightAfterTheUpgrade() throws Exception {
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(new Greeter("never seen")).build());
        proxy.inject(FaultRule.builder(new Drop(DropPoint.AFTER_HEADERS, 0, DropMode.CLOSE)).build());
        Events events = new Events();
        client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        assertThat(events.opened().code()).isEqualTo(101);
        assertThat(events.next()).startsWith("failure:");
    }

    @Test
    void aHangHoldsTheHandshakeUntilTheRuleIsRemoved() throws Exception {
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(new Echo()).build());
        InstalledRule hang = proxy.inject(FaultRule.builder(new Hang()).build());
        Events events = new Events();
        WebSocket socket = client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        assertThat(events.poll(Duration.ofMillis(500))).as("no answer while the hang lasts").isNull();
        assertThat(backend.getRequestCount()).isZero();
        proxy.faults().remove(hang.id());
        events.opened();
        socket.send("free");
        assertThat(events.next()).isEqualTo("text:free");
        socket.close(1000, null);
    }

    @Test
    void anUpstreamHangEndsWhenItsRuleExpires() throws Exception {
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(new Echo()).build());
        proxy.inject(FaultRule.builder(new Hang()).target(Target.UPSTREAM).durationMs(500).build());
        Events events = new Events();
        long start = System.nanoTime();
        WebSocket socket = client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        events.opened(); // long before the 30 s try timeout: nobody removed the rule, it ran out
        assertThat(millisSince(start)).isBetween(500L, 5_000L);
        socket.close(1000, null);
    }

    @Test
    void aBackendThatRefusesTheUpgradeHasItsAnswerRelayed() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(403).addHeader("Content-Type", "text/plain").body("not you").build());
        Events events = new Events();
        client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        Response answer = events.failedWith();
        assertThat(answer.code()).isEqualTo(403);
        assertThat(answer.header("X-Request-Id")).isNotBlank();
        assertThat(events.failureBody).isEqualTo("not you");
        assertThat(proxy.journal().await(JournalQuery.ALL, 1, WAIT).get(0).status()).isEqualTo(403);
    }

    @Test
    void anUpstreamResetIsABadGateway() throws Exception {
        proxy.inject(FaultRule.builder(new Drop()).target(Target.UPSTREAM).build());
        Events events = new Events();
        client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        assertThat(events.failedWith().code()).isEqualTo(502);
        assertThat(backend.getRequestCount()).isZero();
    }

    @Test
    void aBackendThatBreaksMidSessionBreaksTheClientToo() throws Exception {
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(new Echo()).build());
        Events events = new Events();
        WebSocket socket = client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        events.opened();
        socket.send("die"); // the backend cancels its connection: no close frame
        assertThat(events.next()).startsWith("failure:");
    }

    @Test
    void aSlowBackendSlowsTheClientDownInsteadOfOverflowingTheProxy() throws Exception {
        int messages = 40; // 40 MiB, far past the 16 MiB OkHttp queues towards a backend
        SlowReader slow = new SlowReader();
        backend.enqueue(new MockResponse.Builder().webSocketUpgrade(slow).build());
        Events events = new Events();
        WebSocket socket = client.newWebSocket(new Request.Builder().url(proxyUrl("/ws")).build(), events);
        events.opened();
        long deadline = System.nanoTime() + WAIT.toNanos() * 3;
        for (int i = 0; i < messages; i++) {
            byte[] message = new byte[1024 * 1024];
            message[0] = (byte) i;
            while (socket.queueSize() > 4 * 1024 * 1024) { // the client's own queue: it waits for TCP
                assertThat(System.nanoTime()).as("client queue drains").isLessThan(deadline);
                Thread.sleep(5);
            }
            assertThat(socket.send(ByteString.of(message))).isTrue();
        }
        for (int i = 0; i < messages; i++) {
            ByteString received = slow.received.poll(WAIT.toSeconds() * 3, TimeUnit.SECONDS);
            assertThat(received).as("message %d at the backend", i).isNotNull();
            assertThat(received.size()).isEqualTo(1024 * 1024);
            assertThat(received.getByte(0)).isEqualTo((byte) i);
        }
        socket.close(1000, null);
        assertThat(proxy.journal().await(JournalQuery.ALL, 1, WAIT).get(0).error()).isNull();
    }

    @Test
    void secureWebSocketsThroughATlsListenerToATlsBackend(@TempDir Path dir) throws Exception {
        HeldCertificate ca = TestCertificates.ca("websocket test CA");
        HeldCertificate listener = TestCertificates.server(ca, false);
        HeldCertificate backendCertificate = TestCertificates.server(ca, false);
        try (MockWebServer secureBackend = new MockWebServer()) {
            secureBackend.useHttps(TestCertificates.serving(backendCertificate, ca).sslSocketFactory());
            secureBackend.enqueue(new MockResponse.Builder().webSocketUpgrade(new Echo()).build());
            secureBackend.start(InetAddress.getLoopbackAddress(), 0);
            try (ChaosProxyServer secureProxy = ChaosProxyServer.builder()
                    .tls(TestCertificates.certificatePem(dir, "listener.pem", listener, ca), TestCertificates.keyPem(dir, "key.pem", listener))
                    .upstreamCa(TestCertificates.certificatePem(dir, "ca.pem", ca))
                    .upstream(secureBackend.url("/").toString())
                    .build().start()) {
                OkHttpClient trusting = TestCertificates.clientTrusting(ca).build();
                Events events = new Events();
                WebSocket socket = trusting.newWebSocket(new Request.Builder()
                        .url("wss://127.0.0.1:" + secureProxy.url().getPort() + "/ws").build(), events);
                events.opened();
                socket.send("over TLS twice");
                assertThat(events.next()).isEqualTo("text:over TLS twice");
                assertThat(secureBackend.takeRequest(5, TimeUnit.SECONDS).getHeaders().get("X-Forwarded-Proto")).isEqualTo("https");
                socket.close(1000, "done");
                assertThat(events.next()).isEqualTo("closing:1000:done");
                trusting.dispatcher().executorService().shutdown();
            }
        }
    }

    @Test
    void anIncompleteHandshakeIsRefusedBeforeAnyBackendHearsOfIt() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.url())) {
            RawHttp.Reply reply = raw.send("GET /ws HTTP/1.1\nHost: x\nUpgrade: websocket\nConnection: Upgrade\n"
                    + "Sec-WebSocket-Version: 13", null).read(false); // no Sec-WebSocket-Key
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.bodyText()).contains("Sec-WebSocket-Key");
        }
        assertThat(backend.getRequestCount()).isZero();
    }

    private String proxyUrl(String pathAndQuery) {
        return "ws://127.0.0.1:" + proxy.url().getPort() + pathAndQuery;
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** The backend: echoes, closes with 4001 on "close-me", breaks on "die", and remembers closes. */
    static final class Echo extends WebSocketListener {
        final BlockingQueue<String> closes = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            failures.add(t);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            switch (text) {
                case "close-me" -> webSocket.close(4001, "backend says bye");
                case "die" -> webSocket.cancel();
                default -> webSocket.send(text);
            }
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            webSocket.send(bytes);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            closes.add(code + ":" + reason);
            webSocket.close(code, reason);
        }
    }

    /** A backend that takes 50 ms over each message: 20 MiB/s for 1 MiB messages. */
    static final class SlowReader extends WebSocketListener {
        final BlockingQueue<ByteString> received = new LinkedBlockingQueue<>();

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            try {
                Thread.sleep(50); // the backend's own work; this blocks only the backend's reader
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            received.add(bytes);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            webSocket.close(code, reason);
        }
    }

    /** A backend that sends some messages as soon as the session opens. */
    static final class Greeter extends WebSocketListener {
        private final List<String> greetings;

        Greeter(String... greetings) {
            this.greetings = List.of(greetings);
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            greetings.forEach(webSocket::send);
        }
    }

    /** The client's view: every event, in order, as a line of text. */
    static final class Events extends WebSocketListener {
        private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        volatile String failureBody; // a refused handshake's body, read while OkHttp still holds it open

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            events.add(response);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            events.add("text:" + text);
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            events.add("bytes:" + bytes.hex());
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            events.add("closing:" + code + ":" + reason);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            if (response != null) {
                try {
                    failureBody = response.body().string();
                } catch (java.io.IOException | IllegalStateException e) {
                    failureBody = "unreadable: " + e;
                }
            }
            events.add(response != null ? response : "failure:" + t);
        }

        Response opened() throws InterruptedException {
            Object event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("the handshake's answer").isInstanceOf(Response.class);
            assertThat(((Response) event).code()).isEqualTo(101);
            return (Response) event;
        }

        Response failedWith() throws InterruptedException {
            Object event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("a refused handshake").isInstanceOf(Response.class);
            return (Response) event;
        }

        String next() throws InterruptedException {
            Object event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("the next event").isInstanceOf(String.class);
            return (String) event;
        }

        Object poll(Duration wait) throws InterruptedException {
            return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
