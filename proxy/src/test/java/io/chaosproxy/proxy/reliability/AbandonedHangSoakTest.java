package io.chaosproxy.proxy.reliability;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.testing.LocalSockets;
import io.chaosproxy.proxy.testing.RawHttp;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Twenty thousand clients give up on hung requests, in waves: the proxy keeps no socket, no file
 * descriptor and no parked exchange of theirs, none of them ever reaches the backend, and ordinary
 * traffic goes on throughout. (Before, each held a socket in CLOSE-WAIT until the rule went, and
 * 20,500 of them exhausted a 20,000-descriptor limit.)
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AbandonedHangSoakTest {
    static final int ABANDONED = 20_000;
    private static final int WAVE = 500;
    /** Descriptors the JVM may open meanwhile for its own reasons (class loading, the journal...). */
    private static final long FD_SLACK = 64;

    @Test
    void twentyThousandAbandonedHangsLeaveNoSocketBehindAndNeverReachTheBackend() throws Exception {
        try (MockWebServer backend = new MockWebServer()) {
            backend.start();
            for (int i = 0; i < ABANDONED / WAVE + 1; i++) {
                backend.enqueue(new MockResponse.Builder().body("ok").build());
            }
            try (ChaosProxyServer proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString())
                    .journalCapacity(1_000).build().start()) {
                URI url = proxy.url();
                InstalledRule hang = proxy.inject(FaultRule.builder(new Hang()).path("/held/**").build());
                long fdsAtStart = LocalSockets.openFileDescriptors();
                long started = System.nanoTime();

                for (int wave = 0; wave < ABANDONED / WAVE; wave++) {
                    List<Socket> clients = new ArrayList<>(WAVE);
                    for (int i = 0; i < WAVE; i++) {
                        Socket client = new Socket(url.getHost(), url.getPort());
                        client.getOutputStream().write(("GET /held/" + wave + "/" + i + " HTTP/1.1\r\nHost: x\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        clients.add(client);
                    }
                    long firedBy = (long) (wave + 1) * WAVE;
                    await("wave " + wave + " held").atMost(Duration.ofSeconds(30)).until(() -> hang.fired() >= firedBy);
                    for (int i = 0; i < clients.size(); i++) {
                        if (i % 2 == 0) {
                            clients.get(i).setSoLinger(true, 0); // half of them reset, and leave no TIME-WAIT behind
                        }
                        clients.get(i).close();
                    }
                    // traffic goes on while clients come and go
                    try (RawHttp other = new RawHttp(url)) {
                        assertThat(other.send("GET /free HTTP/1.1\nHost: x", null).read(false).status()).isEqualTo(200);
                    }
                }
                await("no proxy socket left in CLOSE-WAIT").atMost(Duration.ofSeconds(20)).until(() -> LocalSockets.closeWaitOn(url.getPort()) == 0);
                await("file descriptors back to where they started").atMost(Duration.ofSeconds(20)).until(() -> LocalSockets.openFileDescriptors() <= fdsAtStart + FD_SLACK);
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
                System.out.printf("%d abandoned hangs in %d s; descriptors %d at start, %d at end%n",
                        ABANDONED, seconds, fdsAtStart, LocalSockets.openFileDescriptors());

                proxy.faults().remove(hang.id());
                assertThat(backend.getRequestCount()).as("requests that reached the backend: the free ones only")
                        .isEqualTo(ABANDONED / WAVE);
                try (RawHttp after = new RawHttp(url)) {
                    assertThat(after.send("GET /after HTTP/1.1\nHost: x", null).read(false).status()).isEqualTo(200);
                }
                assertThat(backend.getRequestCount()).isEqualTo(ABANDONED / WAVE + 1);
            }
        }
    }
}
