package io.chaosproxy.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request body streams to the backend as it arrives. A client that sends a little and then
 * waits (a slow or interactive upload) must not stall at the proxy: the backend sees the request
 * line and the first chunk while the client still holds the rest.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UploadStreamingTest {

    @Test
    void theFirstChunkOfASlowUploadReachesTheBackendWhileTheClientStillHoldsTheRest() throws Exception {
        long[] sent = new long[1];
        try (ScriptedBackend backend = new ScriptedBackend(connection -> {
            ScriptedBackend.Head head = connection.readHead();
            connection.report("head after " + (System.nanoTime() - sent[0]) / 1_000_000 + " ms");
            connection.readBody(head);
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        }); ChaosProxyServer proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).build().start();
             Socket client = new Socket(proxy.url().getHost(), proxy.url().getPort())) {
            OutputStream out = client.getOutputStream();
            sent[0] = System.nanoTime();
            out.write("POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String event = backend.nextEvent(2); // the client holds the rest of its body for these 2 s
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(event).as("the backend saw the request while the upload was still under way").isNotNull();
        }
    }
}
