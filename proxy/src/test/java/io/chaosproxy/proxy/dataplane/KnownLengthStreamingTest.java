package io.chaosproxy.proxy.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.testing.LoopbackJetty;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A body of known length is passed on as it arrives, and whole. The relay writes what has already
 * arrived in one go (see {@code ArrivedBytes}); it must never wait for bytes the backend has not
 * sent yet, or a backend that sends part of a body and pauses would have its client wait too.
 */
class KnownLengthStreamingTest {
    private static final int FIRST_PART = 3_000;
    private static final byte[] BODY = new byte[FIRST_PART + 200_000];

    static {
        new Random(7).nextBytes(BODY);
    }

    private final CountDownLatch clientHasFirstPart = new CountDownLatch(1);
    private LoopbackJetty backend;
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = LoopbackJetty.start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                response.getHeaders().put("Content-Length", BODY.length);
                if (request.getHttpURI().getPath().equals("/paused")) {
                    // the first part, then nothing until the client has it (10 s at most)
                    Content.Sink.write(response, false, ByteBuffer.wrap(BODY, 0, FIRST_PART));
                    clientHasFirstPart.await(10, TimeUnit.SECONDS);
                    response.write(true, ByteBuffer.wrap(BODY, FIRST_PART, BODY.length - FIRST_PART), callback);
                } else {
                    response.write(true, ByteBuffer.wrap(BODY), callback);
                }
                return true;
            }
        });
        proxy = ChaosProxyServer.builder().upstream("http://127.0.0.1:" + backend.port()).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        clientHasFirstPart.countDown();
        proxy.close();
        backend.close();
    }

    @Test
    void whatHasArrivedReachesTheClientWhileTheBackendPauses() throws Exception {
        HttpURLConnection connection = (HttpURLConnection) proxy.url().resolve("/paused").toURL().openConnection();
        connection.setReadTimeout(5_000); // a relay waiting for more would time this read out
        assertThat(connection.getHeaderFieldLong("Content-Length", -1)).isEqualTo(BODY.length);
        try (InputStream body = connection.getInputStream()) {
            byte[] first = body.readNBytes(FIRST_PART);
            assertThat(first).isEqualTo(Arrays.copyOf(BODY, FIRST_PART));
            clientHasFirstPart.countDown();
            byte[] rest = body.readAllBytes();
            assertThat(rest).isEqualTo(Arrays.copyOfRange(BODY, FIRST_PART, BODY.length));
        }
    }

    @Test
    void aBodyThatArrivesAllAtOnceIsPassedOnByteForByte() throws Exception {
        for (int i = 0; i < 20; i++) { // the later exchanges reuse the pooled backend connection
            HttpURLConnection connection = (HttpURLConnection) proxy.url().resolve("/whole").toURL().openConnection();
            connection.setReadTimeout(5_000);
            try (InputStream body = connection.getInputStream()) {
                assertThat(body.readAllBytes()).as("exchange %d", i).isEqualTo(BODY);
            }
        }
    }
}
