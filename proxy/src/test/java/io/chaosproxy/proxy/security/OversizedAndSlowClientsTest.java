package io.chaosproxy.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that send too much, or too slowly. Oversized request lines and heads get 414 and 431;
 * slow-loris clients trickling a head a byte a second are cut off after the request-head deadline
 * (10 s), and while they trickle, everyone else keeps getting answers at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OversizedAndSlowClientsTest {
    private static final int LORIS = 40;
    /** DataPlane.REQUEST_HEAD_TIMEOUT; the proxy may cut a little late (timer, scheduling) but never early. */
    private static final Duration HEAD_DEADLINE = Duration.ofSeconds(10);

    private ScriptedBackend backend;
    private ChaosProxyServer proxy;

    @BeforeAll
    void start() throws Exception {
        backend = new ScriptedBackend(connection -> {
            ScriptedBackend.Head head;
            while ((head = connection.readHead()) != null) {
                connection.readBody(head);
                connection.report(head.target());
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

    @Test
    void anOversizedRequestLineIs414AndNotForwarded() throws Exception {
        int before = backend.requests();
        RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), "GET /" + "a".repeat(40 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(reply.status()).isEqualTo(414);
        assertThat(reply.body()).contains("\"error\"");
        assertThat(backend.requests()).isEqualTo(before);
    }

    @Test
    void anOversizedHeaderIs431AndNotForwarded() throws Exception {
        int before = backend.requests();
        RawHttp.Exchange one = RawHttp.exchange(proxy.url(), "GET /big HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(40 * 1024) + "\r\n\r\n");
        assertThat(one.status()).isEqualTo(431);
        StringBuilder many = new StringBuilder("GET /many HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 2_000; i++) {
            many.append("X-H").append(i).append(": ").append("v".repeat(16)).append("\r\n");
        }
        RawHttp.Exchange lots = RawHttp.exchange(proxy.url(), many + "\r\n");
        assertThat(lots.status()).isEqualTo(431);
        assertThat(lots.body()).contains("\"error\"");
        assertThat(backend.requests()).isEqualTo(before);
    }

    @Test
    void aHeadJustUnderTheLimitIsForwarded() throws Exception {
        RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), "GET /almost HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(30 * 1024) + "\r\n\r\n");
        assertThat(reply.status()).isEqualTo(200);
    }

    @Test
    void slowLorisClientsAreCutOffWhileOthersKeepBeingServed() throws Exception {
        List<Socket> loris = new ArrayList<>();
        Socket idle = new Socket(proxy.url().getHost(), proxy.url().getPort()); // connected, sends nothing
        long started = System.nanoTime();
        for (int i = 0; i < LORIS; i++) {
            Socket socket = new Socket(proxy.url().getHost(), proxy.url().getPort());
            socket.getOutputStream().write(("GET /loris-" + i + " HTTP/1.1\r\nHost: x\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII));
            loris.add(socket);
        }
        // everyone else, meanwhile: one request after another, each must be answered at once
        AtomicBoolean trickling = new AtomicBoolean(true);
        AtomicLong served = new AtomicLong();
        AtomicLong slowest = new AtomicLong();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread others = new Thread(() -> {
            int n = 0;
            while (trickling.get()) {
                long t0 = System.nanoTime();
                try {
                    RawHttp.Exchange reply = RawHttp.exchange(proxy.url(), "GET /normal-" + n++ + " HTTP/1.1\r\nHost: x\r\n\r\n");
                    if (reply.status() != 200) {
                        failures.add("status " + reply.status());
                    }
                    served.incrementAndGet();
                    slowest.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    Thread.sleep(50);
                } catch (IOException | InterruptedException e) {
                    failures.add(e.toString());
                }
            }
        }, "normal-client");
        others.start();

        long[] cutAfterMillis = new long[LORIS];
        Boolean[] answeredFirst = new Boolean[LORIS];
        int open = LORIS;
        long limit = started + HEAD_DEADLINE.plusSeconds(5).toNanos();
        while (open > 0 && System.nanoTime() < limit) {
            Thread.sleep(1_000);
            for (int i = 0; i < LORIS; i++) {
                if (cutAfterMillis[i] == 0) {
                    Socket socket = loris.get(i);
                    int first = firstByte(socket);
                    if (first == 'H' && answeredFirst[i] == null) {
                        answeredFirst[i] = restOf408(socket); // the answer comes first; the close follows it
                    }
                    if (first == -1 || first == 'H') {
                        cutAfterMillis[i] = (System.nanoTime() - started) / 1_000_000;
                        open--;
                    } else {
                        try {
                            socket.getOutputStream().write('a'); // one more byte of the header value
                        } catch (IOException e) {
                            cutAfterMillis[i] = (System.nanoTime() - started) / 1_000_000;
                            open--;
                        }
                    }
                }
            }
        }
        trickling.set(false);
        others.join(10_000);
        boolean idleStillOpen = !isClosedByPeer(idle);
        for (Socket socket : loris) {
            socket.close();
        }
        idle.close();

        assertThat(failures).as("others are served while the loris clients trickle").isEmpty();
        assertThat(served.get()).as("requests served meanwhile").isGreaterThan(20);
        assertThat(slowest.get()).as("slowest answer meanwhile, ms (a starved proxy would make this the head deadline)")
                .isLessThan(3_000);
        for (int i = 0; i < LORIS; i++) {
            assertThat(answeredFirst[i]).as("loris %d was told 408 before the close", i).isTrue();
            assertThat(cutAfterMillis[i]).as("loris %d is cut off after the head deadline, not before", i)
                    .isGreaterThanOrEqualTo(HEAD_DEADLINE.toMillis() - 1_000) // trickling started up to a second before 'started'
                    .isLessThanOrEqualTo(HEAD_DEADLINE.toMillis() + 5_000);
        }
        assertThat(idleStillOpen).as("a connection idle before any request is the idle timeout's business").isTrue();
        List<String> forwarded = new ArrayList<>();
        String event;
        while ((event = backend.nextEvent(0)) != null) {
            if (event.startsWith("/loris")) {
                forwarded.add(event);
            }
        }
        assertThat(forwarded).as("no partial head is forwarded").isEmpty();
    }

    /** The next byte the proxy sent: -1 at the end, -2 when nothing has come (yet). */
    private static int firstByte(Socket socket) {
        try {
            socket.setSoTimeout(5);
            return socket.getInputStream().read();
        } catch (SocketTimeoutException e) {
            return -2;
        } catch (IOException e) {
            return -1;
        }
    }

    /** After an 'H': whether the rest is the status line of a 408. */
    private static boolean restOf408(Socket socket) {
        try {
            socket.setSoTimeout(2_000);
            byte[] rest = socket.getInputStream().readNBytes(11);
            return new String(rest, StandardCharsets.US_ASCII).startsWith("TTP/1.1 408");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isClosedByPeer(Socket socket) {
        try {
            socket.setSoTimeout(5);
            InputStream in = socket.getInputStream();
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
