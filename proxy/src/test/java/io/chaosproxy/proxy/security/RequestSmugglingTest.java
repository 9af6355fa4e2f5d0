package io.chaosproxy.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import io.chaosproxy.proxy.testing.RawHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request framing that two HTTP parsers could read differently (the stuff of request smuggling)
 * is refused with 400 before anything reaches a backend. Each request also carries a second,
 * smuggled request after the ambiguous one; the backend must see neither. The backend counts
 * request heads on the wire, so even a head sent without its body would show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestSmugglingTest {
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

    private ScriptedBackend backend;
    private ChaosProxyServer proxy;

    @BeforeAll
    void start() throws Exception {
        backend = new ScriptedBackend(connection -> {
            ScriptedBackend.Head head;
            while ((head = connection.readHead()) != null) {
                connection.readBody(head);
                connection.report(head.method() + " " + head.target());
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).seed(1).build().start();
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    static Stream<Arguments> ambiguousFraming() {
        return Stream.of(
                Arguments.of("Content-Length and Transfer-Encoding",
                        "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX"),
                Arguments.of("Transfer-Encoding and Content-Length",
                        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\nX"),
                Arguments.of("two differing Content-Lengths",
                        "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                Arguments.of("two equal Content-Lengths",
                        "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("a Content-Length list",
                        "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!"),
                Arguments.of("a negative Content-Length", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nhello"),
                Arguments.of("a signed Content-Length", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello"),
                Arguments.of("a hex Content-Length", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello"),
                Arguments.of("whitespace before the colon", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello"),
                Arguments.of("obsolete line folding", "GET /a HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n"),
                Arguments.of("bare LF line ends", "GET /a HTTP/1.1\nHost: x\n\n"),
                Arguments.of("one bare LF among CRLFs", "GET /a HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n"),
                Arguments.of("a bare CR in a value", "GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n"),
                Arguments.of("a NUL in a value", "GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n"),
                Arguments.of("a space in a field name", "GET /a HTTP/1.1\r\nX A: b\r\nHost: x\r\n\r\n"),
                Arguments.of("chunked not last", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("an unknown coding", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("two Transfer-Encoding fields",
                        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("a non-hex chunk size", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("a negative chunk size", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("an overflowing chunk size",
                        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("a 0x chunk size", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("bare LF in chunk framing", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n"),
                Arguments.of("a chunk size with a bad extension",
                        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;\u0001\r\nhello\r\n0\r\n\r\n"));
    }

    /** Well framed, so a request pipelined after it is fine; but refused itself, and not forwarded. */
    static Stream<Arguments> refusedTargets() {
        return Stream.of(
                Arguments.of("no Host", "GET /a HTTP/1.1\r\n\r\n"),
                Arguments.of("two Host fields", "GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"),
                Arguments.of("a Host with a space", "GET /a HTTP/1.1\r\nHost: x y\r\n\r\n"),
                Arguments.of("a GET with a chunked body", "GET /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("a GET with a body", "GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("a path that climbs out", "GET /a/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"),
                Arguments.of("an encoded slash climbing out", "GET /a%2F..%2F..%2Fetc HTTP/1.1\r\nHost: x\r\n\r\n"),
                Arguments.of("an empty segment naming a host", "GET //other.example:1/x HTTP/1.1\r\nHost: x\r\n\r\n"),
                Arguments.of("a target that is neither path nor URL", "GET @other.example/ HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ambiguousFraming")
    void ambiguousFramingIsRefusedWith400AndNothingIsForwarded(String shape, String request) throws Exception {
        drainEvents();
        int before = backend.requests();
        RawHttp.Exchange reply = RawHttp.exchangeAndWatchClose(proxy.url(), request + SMUGGLED);
        assertThat(reply.status()).as(shape + ": " + reply.raw()).isEqualTo(400);
        assertThat(reply.header("Content-Type")).isEqualTo("application/json");
        assertThat(reply.body()).contains("\"error\"");
        assertThat(reply.closedAfter()).as(shape + ": the connection is closed, so nothing after the bad framing is read").isTrue();
        assertThat(forwardedBeforeAMarker()).as(shape + ": nothing reaches the backend").isEmpty();
        assertThat(backend.requests()).as(shape + ": not even a head, only the marker's").isEqualTo(before + 1);
    }

    /**
     * Framing that breaks only after valid body bytes: uploads stream, so the head and the bytes
     * before the break may already be on their way. The backend then sees that request cut off
     * (never completed), and never the request smuggled behind it.
     */
    @org.junit.jupiter.api.Test
    void aChunkLongerThanItsSizeIsRefusedAndNothingBehindItIsForwarded() throws Exception {
        drainEvents();
        int before = backend.requests();
        String request = "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n";
        RawHttp.Exchange reply = RawHttp.exchangeAndWatchClose(proxy.url(), request + SMUGGLED);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(400);
        assertThat(reply.closedAfter()).isTrue();
        assertThat(forwardedBeforeAMarker()).noneMatch(event -> event.contains("/smuggled"));
        assertThat(backend.requests()).as("at most the cut-off request itself, and the marker").isLessThanOrEqualTo(before + 2);
        String event;
        while ((event = backend.nextEvent(0)) != null) {
            assertThat(event).doesNotContain("/smuggled");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTargets")
    void refusedRequestsAreAnswered400AndNotForwarded(String shape, String request) throws Exception {
        drainEvents();
        int before = backend.requests();
        RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), request);
        assertThat(reply.status()).as(shape + ": " + reply.raw()).isEqualTo(400);
        assertThat(reply.body()).contains("\"error\"");
        assertThat(forwardedBeforeAMarker()).as(shape + ": not forwarded").isEmpty();
        assertThat(backend.requests()).as(shape + ": not forwarded, only the marker").isEqualTo(before + 1);
    }

    /**
     * Sends a marker request once the refused one is answered, and waits until the backend has it:
     * the proxy dealt with the refused request before answering it, so whatever it forwarded
     * reached the backend before the marker. Returns what the backend saw before the marker.
     */
    private List<String> forwardedBeforeAMarker() throws Exception {
        RawHttp.Exchange marker = RawHttp.exchange(proxy.url(), "GET /marker HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(marker.status()).as("the marker's answer (closed by the proxy: %s): %s", marker.closedAfter(), marker.raw())
                .isEqualTo(200);
        List<String> before = new ArrayList<>();
        for (String event = backend.nextEvent(10); !"GET /marker".equals(event); event = backend.nextEvent(10)) {
            assertThat(event).as("the backend's report of the marker request").isNotNull();
            before.add(event);
        }
        return before;
    }

    private void drainEvents() throws InterruptedException {
        while (backend.nextEvent(0) != null) {
            // left over from an earlier test
        }
    }

    @Test
    void unsupportedVersionsAreRefusedAndNothingIsForwarded() throws Exception {
        int before = backend.requests();
        assertThat(RawHttp.exchange(proxy.url(), "GET /a HTTP/1.2\r\nHost: x\r\n\r\n").status()).isEqualTo(505);
        assertThat(RawHttp.exchange(proxy.url(), "GET /a\r\n\r\n").status()).as("HTTP/0.9").isEqualTo(505);
        assertThat(RawHttp.exchange(proxy.url(), "GET /a HTTP/2.0\r\nHost: x\r\n\r\n").status()).isBetween(400, 505);
        assertThat(backend.requests()).isEqualTo(before);
    }

    @Test
    void asteriskFormIsAnsweredByTheProxyNotForwarded() throws Exception {
        int before = backend.requests();
        RawHttp.Exchange options = RawHttp.exchange(proxy.url(), "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(options.status()).isEqualTo(200);
        assertThat(options.header("Allow")).contains("GET", "POST");
        RawHttp.Exchange get = RawHttp.exchange(proxy.url(), "GET * HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(get.status()).isEqualTo(400);
        assertThat(backend.requests()).isEqualTo(before);
    }

    @Test
    void aWellFormedRequestOnTheSameProxyStillGoesThrough() throws Exception {
        drainEvents();
        RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), "POST /fine HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(backend.nextEvent(5)).isEqualTo("POST /fine");
    }
}
