package io.chaosproxy.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A broken body is never passed off as a whole one, in either direction. A backend that dies
 * mid-body gives the client a response cut short of its framing; a client that leaves mid-upload
 * or mid-download makes the proxy give up the upstream call and its connection, which the backend
 * sees, and the journal says why the exchange ended.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TruncationIsNeverHiddenTest {
    private static final int DECLARED = 100_000;

    private ScriptedBackend backend;
    private ChaosProxyServer proxy;

    private void start(ScriptedBackend.Script script) throws Exception {
        backend = new ScriptedBackend(script);
        proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).seed(1).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @ParameterizedTest(name = "{0} body, backend {1} after {2} bytes")
    @CsvSource({
            "fixed, close, 1", "fixed, close, 30000", "fixed, reset, 1", "fixed, reset, 30000",
            "chunked, close, 1", "chunked, close, 30000", "chunked, reset, 1", "chunked, reset, 30000"})
    void aBackendDyingMidBodyGivesTheClientABrokenResponse(String framing, String death, int sentBeforeDeath) throws Exception {
        boolean chunked = framing.equals("chunked");
        start(connection -> {
            ScriptedBackend.Head head = connection.readHead();
            connection.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + DECLARED + "\r\n") + "\r\n");
            byte[] part = new byte[sentBeforeDeath];
            java.util.Arrays.fill(part, (byte) 'x');
            if (chunked && sentBeforeDeath > 0) {
                connection.write(Integer.toHexString(sentBeforeDeath) + "\r\n");
                connection.write(part);
                connection.write("\r\n");
            } else {
                connection.write(part);
            }
            Thread.sleep(50); // let the bytes leave before the connection dies
            if (death.equals("reset")) {
                connection.reset();
            } else {
                connection.close();
            }
            connection.report("died after " + head.target());
        });

        try (RawHttp client = new RawHttp(proxy.url(), 10_000)) {
            RawHttp.Outcome reply = client.exchange("GET", "/dies", List.of("Host: x"), null);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.isComplete()).as("the body is cut short of its framing, not ended politely").isFalse();
            assertThat(reply.bodyLength()).isLessThan(DECLARED).isLessThanOrEqualTo(sentBeforeDeath);
            if (!chunked) {
                assertThat(reply.header("Content-Length")).isEqualTo(String.valueOf(DECLARED));
            }
        }
        JournalEntry entry = onlyEntry("/dies");
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.error()).as("the journal says the body broke").isNotNull().containsIgnoringCase("body");
    }

    /**
     * A client that says Connection: close, or speaks HTTP/1.0, gets a body of unknown length
     * delimited by the end of the connection, since it cannot be chunked for it. Then a FIN after
     * part of the body would look like the whole body: the proxy must end such a cut with a reset.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HTTP/1.1 with Connection: close", "HTTP/1.0"})
    void aBodyDelimitedByTheConnectionsEndIsCutWithAReset(String client) throws Exception {
        start(connection -> {
            connection.readHead();
            connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            connection.write(Integer.toHexString(30_000) + "\r\n");
            connection.write(new byte[30_000]);
            connection.write("\r\n");
            Thread.sleep(50);
            connection.close(); // dies before the last chunk
        });
        String request = client.equals("HTTP/1.0") ? "GET /cut HTTP/1.0\r\nHost: x\r\n\r\n"
                : "GET /cut HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            long received = 0;
            String ending;
            try {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    received += n;
                }
                ending = "a clean end of stream, as if the body were whole";
            } catch (java.net.SocketException e) {
                ending = "reset";
            }
            assertThat(received).as("something of the body arrived first").isGreaterThan(0);
            assertThat(ending).isEqualTo("reset");
        }
        assertThat(onlyEntry("/cut").error()).isNotNull();
    }

    @Test
    void aBackendClosingAfterHeadersOfAnUndelimitedBodyIsPassedOnAsItsEnd() throws Exception {
        // the one case where a close is the end: HTTP/1.0-style, no length and no chunking.
        // The proxy must not invent a Content-Length, and the client must see the same close.
        start(connection -> {
            connection.readHead();
            connection.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it");
            connection.close();
        });
        try (RawHttp client = new RawHttp(proxy.url())) {
            RawHttp.Reply reply = client.send("GET /eof HTTP/1.1\nHost: x", null).read(false);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.bodyText()).isEqualTo("all of it");
            assertThat(reply.truncated()).isFalse();
        }
    }

    @ParameterizedTest(name = "client leaves mid-download ({0})")
    @ValueSource(strings = {"fin", "rst"})
    void aClientLeavingMidDownloadCancelsTheUpstreamCallAndFreesItsConnection(String how) throws Exception {
        long endless = 1L << 40;
        start(connection -> {
            connection.readHead();
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: " + endless + "\r\n\r\n");
            byte[] block = new byte[64 * 1024];
            long written = 0;
            long started = System.nanoTime();
            try {
                while (written < endless) {
                    connection.write(block);
                    written += block.length;
                }
                connection.report("wrote everything");
            } catch (java.io.IOException e) {
                connection.report("write failed after " + written / (1024 * 1024) + " MiB, "
                        + (System.nanoTime() - started) / 1_000_000 + " ms");
            }
        });
        try (Socket client = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
            client.getOutputStream().write("GET /download HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long read = 0;
            while (read < 512 * 1024) {
                int n = in.read(buffer);
                assertThat(n).as("the download is flowing").isPositive();
                read += n;
            }
            if (how.equals("rst")) {
                client.setSoLinger(true, 0);
            }
        }
        String event = backend.nextEvent(15);
        assertThat(event).as("the backend's write fails once the client is gone").startsWith("write failed after");
        long mib = Long.parseLong(event.split(" ")[3]);
        assertThat(mib).as("the proxy did not keep reading into a void (" + event + ")").isLessThan(256);
        JournalEntry entry = onlyEntry("/download");
        assertThat(entry.error()).as("the journal says the exchange did not end normally").isNotNull();
        // that the journal blames the client rather than the body: FailureBlameTest
    }

    @ParameterizedTest(name = "client leaves mid-upload ({0} {1})")
    @CsvSource({"POST, fixed", "POST, chunked", "PUT, fixed", "PATCH, chunked"})
    void aClientLeavingMidUploadCancelsTheUpstreamCallAndFreesItsConnection(String method, String framing) throws Exception {
        boolean chunked = framing.equals("chunked");
        long declared = 64L * 1024 * 1024;
        start(connection -> {
            ScriptedBackend.Head head = connection.readHead();
            if (head == null) {
                return;
            }
            ScriptedBackend.BodyRead body = connection.readBody(head);
            if (body.complete()) {
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                connection.report("complete body of " + body.length());
                return;
            }
            connection.report("body ended early after " + body.length() + " bytes: " + body.ending()
                    + "; connection closed by the proxy: " + connection.peerClosed());
        });
        try (Socket client = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
            OutputStream out = client.getOutputStream();
            out.write((method + " /upload HTTP/1.1\r\nHost: x\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + declared + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[64 * 1024];
            for (int i = 0; i < 24; i++) { // 1.5 MiB: past the 1 MiB replay buffer of an idempotent PUT
                if (chunked) {
                    out.write((Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.write(block);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            out.flush();
            Thread.sleep(200); // let the first part reach the backend, so the upload is surely under way
        }
        String event = backend.nextEvent(15);
        assertThat(event).as("the backend sees the upload end early, with the connection closed")
                .startsWith("body ended early").endsWith("connection closed by the proxy: true");
        Thread.sleep(300); // a retry, if there were one, would connect again now
        assertThat(backend.requests()).as("the broken upload is not sent again").isEqualTo(1);
        JournalEntry entry = onlyEntry("/upload");
        assertThat(entry.error()).as("the journal says why the exchange ended").isNotNull();
        assertThat(entry.attempts()).hasSize(1);
        assertThat(entry.attempts().get(0).error()).as("the attempt blames the client, not the backend")
                .containsIgnoringCase("client");
    }

    private JournalEntry onlyEntry(String path) throws InterruptedException {
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL.withPath(path), 1, Duration.ofSeconds(10));
        assertThat(entries).as("journal entries for " + path).hasSize(1);
        return entries.get(0);
    }
}
