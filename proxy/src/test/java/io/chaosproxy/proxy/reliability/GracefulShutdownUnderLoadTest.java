package io.chaosproxy.proxy.reliability;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.reliability.support.Bodies;
import io.chaosproxy.proxy.reliability.support.DigestBackend;
import io.chaosproxy.proxy.testing.ChildProxy;
import io.chaosproxy.proxy.testing.RawHttp;
import io.chaosproxy.proxy.testing.RawHttp.Body;
import io.chaosproxy.proxy.testing.RawHttp.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM to the standalone proxy (its own JVM, as a user runs it) while 30 exchanges are in flight:
 * some wait on a slow backend, some upload 2 MiB, some stream a paced 2 MiB download. The listener
 * stops accepting at once; every exchange in flight finishes, byte-exact; then the process exits 0.
 * And in process: clients that fall silent mid-body during the drain are not cut off.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GracefulShutdownUnderLoadTest {
    private static final int IN_FLIGHT = 30;

    @Test
    void sigtermDrainsEveryInFlightExchangeThenExitsZero() throws Exception {
        try (DigestBackend backend = new DigestBackend().start();
             ChildProxy child = ChildProxy.start(List.of("-Xmx256m"), List.of("--listen", "127.0.0.1:0",
                     "--control", "127.0.0.1:0", "--upstream", backend.url().toString(), "--seed", "1"))) {
            URI proxy = child.proxyUrl();
            ExecutorService clients = Executors.newFixedThreadPool(IN_FLIGHT);
            List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
            List<long[]> expected = new ArrayList<>(); // response seed, length
            for (int i = 0; i < IN_FLIGHT; i++) {
                String seq = "drain-" + i;
                long seed = 1000 + i;
                long length = i % 3 == 2 ? 2 * 1024 * 1024 : 64 * 1024;
                expected.add(new long[] {seed, length});
                List<String> head = new ArrayList<>(List.of("Host: x", "X-Request-Id: " + seq, "X-Seq: " + seq,
                        "X-Want-Len: " + length, "X-Want-Seed: " + seed, "X-Want-Chunked: " + (i % 2)));
                Body upload = null;
                switch (i % 3) {
                    case 0 -> head.add("X-Delay-Ms: 2500");   // the backend is slow to answer
                    case 1 -> {                               // a 2 MiB upload, then a slow answer
                        upload = new Body(i, 2 * 1024 * 1024, i % 2 == 0);
                        head.add("X-Body-Len: " + upload.length());
                        head.add("X-Body-Sha256: " + Bodies.sha256(upload.seed(), upload.length()));
                        head.add("X-Delay-Ms: 2000");
                    }
                    default -> head.add("X-Pace-Ms: 40");     // a download that streams for ~2.5 s
                }
                Body body = upload;
                String method = body == null ? "GET" : "POST";
                outcomes.add(CompletableFuture.supplyAsync(() -> {
                    try (RawHttp client = new RawHttp(proxy, 30_000)) {
                        return client.exchange(method, "/drain/" + seq, head, body);
                    } catch (IOException e) {
                        return new Outcome(-1, java.util.Map.of(), 0, null, false, e.toString());
                    }
                }, clients));
            }
            // every exchange has reached the backend: now they are in flight for sure
            await("every exchange reached the backend").atMost(Duration.ofSeconds(15))
                    .until(() -> backend.totalArrivals() >= IN_FLIGHT);
            assertThat(backend.totalArrivals()).isEqualTo(IN_FLIGHT);

            long signalled = System.nanoTime();
            child.process().destroy(); // SIGTERM
            long refusedAfter = -1;
            while (System.nanoTime() - signalled < Duration.ofSeconds(3).toNanos()) {
                if (!accepts(proxy)) {
                    refusedAfter = (System.nanoTime() - signalled) / 1_000_000;
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(refusedAfter).as("the listener stops accepting at once, while the exchanges are still in flight")
                    .isBetween(0L, 1_500L);

            for (int i = 0; i < IN_FLIGHT; i++) {
                Outcome outcome = outcomes.get(i).get(30, TimeUnit.SECONDS);
                assertThat(outcome.isComplete()).as("exchange %d: %s", i, outcome).isTrue();
                assertThat(outcome.status()).as("exchange %d: %s", i, outcome).isEqualTo(200);
                assertThat(outcome.bodyLength()).as("exchange %d: %s", i, outcome).isEqualTo(expected.get(i)[1]);
                assertThat(outcome.bodySha256()).as("exchange %d", i).isEqualTo(Bodies.sha256(expected.get(i)[0], expected.get(i)[1]));
            }
            assertThat(child.process().waitFor(15, TimeUnit.SECONDS)).as("exits after draining").isTrue();
            long exitMillis = (System.nanoTime() - signalled) / 1_000_000;
            assertThat(child.process().exitValue()).isZero();
            assertThat(exitMillis).as("it waited for the slow exchanges, and no longer than the 10 s drain").isBetween(1_000L, 12_000L);
            assertThat(backend.mismatches()).isEmpty();
            String log = child.output();
            for (int i = 0; i < IN_FLIGHT; i++) {
                assertThat(log).as("access log of exchange %d", i).containsPattern("/drain/drain-" + i + " 200 .*id=drain-" + i + " ");
            }
            clients.shutdownNow();
        }
    }

    /**
     * Jetty gives every connection a one-second idle timeout when a graceful stop begins, and an
     * idle timeout fails a pending write or read outright. A client that pauses for longer than a
     * second mid-download or mid-upload during the drain must still get its whole exchange.
     */
    @Test
    void aClientPausingMidBodyDuringTheDrainIsNotCutOff() throws Exception {
        long download = 16L * 1024 * 1024;
        long upload = 4L * 1024 * 1024;
        try (DigestBackend backend = new DigestBackend().start()) {
            ChaosProxyServer proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).seed(1).build().start();
            URI url = proxy.url();
            CompletableFuture<Void> stopped = new CompletableFuture<>();
            Runnable stop = () -> {
                if (!stopped.isDone()) {
                    new Thread(() -> {
                        proxy.stop(Duration.ofSeconds(10));
                        stopped.complete(null);
                    }, "drain").start();
                }
            };
            try (Socket downloader = new Socket(url.getHost(), url.getPort()); Socket uploader = new Socket(url.getHost(), url.getPort())) {
                downloader.setReceiveBufferSize(64 * 1024);
                downloader.setSoTimeout(15_000);
                downloader.getOutputStream().write(("GET /down HTTP/1.1\r\nHost: x\r\nX-Want-Len: " + download
                        + "\r\nX-Want-Seed: 5\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                uploader.setSoTimeout(15_000);
                uploader.getOutputStream().write(("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + upload + "\r\nX-Body-Len: "
                        + upload + "\r\nX-Body-Sha256: " + Bodies.sha256(9, upload) + "\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                Bodies.Generator uploadBytes = new Bodies.Generator(9);
                byte[] block = new byte[64 * 1024];
                for (int i = 0; i < 16; i++) { // the first MiB of the upload
                    uploadBytes.next(block, 0, block.length);
                    uploader.getOutputStream().write(block);
                }
                java.io.InputStream in = downloader.getInputStream();
                byte[] buffer = new byte[64 * 1024];
                long read = 0;
                while (read < 2 * 1024 * 1024) {
                    int n = in.read(buffer);
                    assertThat(n).isPositive();
                    read += n;
                }
                stop.run();                 // the drain begins with both exchanges mid-body...
                Thread.sleep(1_500);        // ...and both clients fall silent for longer than Jetty's second
                for (int i = 16; i < 64; i++) {
                    uploadBytes.next(block, 0, block.length);
                    uploader.getOutputStream().write(block);
                }
                String uploadAnswer = new String(uploader.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
                int n;
                while ((n = in.read(buffer)) != -1) {
                    read += n;
                }
                assertThat(read).as("the download arrived whole (head included)").isGreaterThan(download);
                assertThat(uploadAnswer).as("the upload arrived whole").isEqualTo("HTTP/1.1 200");
            } finally {
                stop.run();
                stopped.get(15, TimeUnit.SECONDS);
            }
            assertThat(backend.mismatches()).isEmpty();
        }
    }

    private static boolean accepts(URI proxy) {
        try (Socket socket = new Socket(proxy.getHost(), proxy.getPort())) {
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
