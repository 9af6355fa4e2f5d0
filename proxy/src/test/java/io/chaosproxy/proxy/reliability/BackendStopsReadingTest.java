package io.chaosproxy.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import io.chaosproxy.proxy.testing.LoopbackJetty;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backend that takes a request's head and then stops reading its body. Once the socket buffers
 * between them are full, the proxy's write to it stalls. The try timeout bounds that stalled
 * write: the exchange ends as a timeout, not a connection held until someone kills the proxy.
 * While the client uploads, the try timer itself waits (the client's time is not the backend's),
 * so only the write timeout can end this exchange: a failed write answers 502, where the try
 * timer would answer 504.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackendStopsReadingTest {
    private static final long BODY_BYTES = 256L << 20; // far beyond what loopback buffers hold

    @Test
    void anUploadIntoABackendThatStopsReadingEndsAsATimeout() throws Exception {
        CountDownLatch testOver = new CountDownLatch(1);
        ResilienceSettings settings = ResilienceSettings.builder().tryTimeout(Duration.ofMillis(500)).maxAttempts(1).build();
        try (ScriptedBackend backend = new ScriptedBackend(connection -> {
                 connection.readHead();
                 connection.report("head");
                 testOver.await(); // reads nothing more, answers nothing
             });
             ChaosProxyServer proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).resilience(settings).build().start();
             Socket client = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
            Thread uploader = new Thread(() -> upload(client, "POST"), "upload-into-a-backend-that-stops-reading");
            uploader.start();
            assertThat(backend.nextEvent(20)).as("the backend got the request's head").isEqualTo("head");

            await("the exchange ended").atMost(Duration.ofSeconds(30))
                    .until(() -> !proxy.journal().query(JournalQuery.ALL.withPath("/upload")).isEmpty());
            JournalEntry entry = proxy.journal().query(JournalQuery.ALL.withPath("/upload")).get(0);
            List<Attempt> attempts = entry.attempts();
            assertThat(attempts).hasSize(1);
            assertThat(attempts.get(0).error()).as("the one attempt's error").isEqualTo("timeout");
            assertThat(entry.status()).as("a failed write, not the try timer").isEqualTo(502);
            uploader.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(uploader.isAlive()).as("the client's upload was ended too").isFalse();
        } finally {
            testOver.countDown();
        }
    }

    /**
     * Over HTTP/2 the backend stops granting flow-control window instead (Jetty grants more only as
     * its handler reads). The proxy's write waits for a window that never comes, and the same write
     * timeout ends it, on a pooled connection too.
     */
    @Test
    void anUploadIntoAnH2cBackendThatStopsReadingEndsAsATimeout() throws Exception {
        CountDownLatch testOver = new CountDownLatch(1);
        CountDownLatch headArrived = new CountDownLatch(1);
        LoopbackJetty backend = LoopbackJetty.start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (request.getMethod().equals("GET")) {
                    Content.Sink.write(response, true, "warm", callback);
                    return true;
                }
                headArrived.countDown();
                testOver.await(); // reads nothing, answers nothing
                callback.succeeded();
                return true;
            }
        }, new HTTP2CServerConnectionFactory(new HttpConfiguration()));
        ResilienceSettings settings = ResilienceSettings.builder().tryTimeout(Duration.ofMillis(500)).maxAttempts(1).build();
        try (ChaosProxyServer proxy = ChaosProxyServer.builder().upstream("h2c://127.0.0.1:" + backend.port())
                     .resilience(settings).build().start();
             Socket client = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
            // the upload then goes on a pooled connection: its failure must not pass for a stale one
            try (okhttp3.Response warm = new OkHttpClient().newCall(new okhttp3.Request.Builder().url(proxy.url().toString()).build()).execute()) {
                assertThat(warm.body().string()).isEqualTo("warm");
            }
            // a PUT: idempotent, so a failure taken for a stale connection would be sent again
            Thread uploader = new Thread(() -> upload(client, "PUT"), "upload-into-an-h2c-backend-that-stops-reading");
            uploader.start();
            assertThat(headArrived.await(20, TimeUnit.SECONDS)).as("the backend got the request's head").isTrue();

            await("the exchange ended").atMost(Duration.ofSeconds(30))
                    .until(() -> !proxy.journal().query(JournalQuery.ALL.withPath("/upload")).isEmpty());
            JournalEntry entry = proxy.journal().query(JournalQuery.ALL.withPath("/upload")).get(0);
            assertThat(entry.attempts()).as("one attempt: not sent again as if the pooled connection were stale").hasSize(1);
            assertThat(entry.attempts().get(0).error()).as("the one attempt's error").isEqualTo("timeout");
            assertThat(entry.status()).as("a failed write, not the try timer").isEqualTo(502);
            uploader.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(uploader.isAlive()).as("the client's upload was ended too").isFalse();
        } finally {
            testOver.countDown();
            backend.close();
        }
    }

    /** Sends a large body as fast as the proxy takes it, until the proxy ends the exchange. */
    private static void upload(Socket client, String method) {
        try {
            OutputStream out = client.getOutputStream();
            out.write((method + " /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] piece = new byte[64 * 1024];
            for (long sent = 0; sent < BODY_BYTES; sent += piece.length) {
                out.write(piece);
            }
        } catch (IOException e) {
            // the proxy answered and closed: the end this test waits for
        }
    }
}
