package io.chaosproxy.proxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.dataplane.transport.ExchangeThreads;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow uploads cost the proxy bounded resources. An upload slower than the minimum rate is
 * answered 408 and never completed at the backend, while a slow but steady one goes through. On
 * Java 17 (platform threads) a crowd of uploads that wait for their clients holds at most the
 * configured number of threads; the others are answered 503 at once, and ordinary requests, small
 * POSTs included, keep being served. On virtual threads no cap is needed, and none applies.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SlowUploadTest {
    private ScriptedBackend backend;
    private ChaosProxyServer proxy;
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    private void start(ResilienceSettings settings) throws Exception {
        backend = new ScriptedBackend(connection -> {
            ScriptedBackend.Head head;
            while ((head = connection.readHead()) != null) {
                ScriptedBackend.BodyRead body = connection.readBody(head);
                bodies.add(head.target() + " " + body.length() + " " + body.ending());
                if (!body.complete()) {
                    return;
                }
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).resilience(settings).build().start();
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

    @Test
    void anUploadSlowerThanTheMinimumRateIsAnswered408WhileASteadyOneGoesThrough() throws Exception {
        start(ResilienceSettings.builder().minUploadRate(1_000).build());
        URI url = proxy.url();
        AtomicBoolean stop = new AtomicBoolean();
        Thread steady = trickle(url, "/steady", 40_000, 400, 100, stop);  // 4,000 B/s: done in 10 s
        try (Socket slow = new Socket(url.getHost(), url.getPort())) {
            slow.setSoTimeout(40_000);
            OutputStream out = slow.getOutputStream();
            out.write("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = null;
            long started = System.nanoTime();
            // 100 bytes a second, a tenth of the minimum: cut after the first 10 s window
            while (answer == null && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(30)) {
                try {
                    out.write(new byte[100]);
                    out.flush();
                } catch (IOException e) {
                    break; // the proxy has answered and closed
                }
                slow.setSoTimeout(1_000);
                try {
                    answer = RawHttp.readOneResponse(slow);
                } catch (SocketTimeoutException e) {
                    // not yet
                }
            }
            if (answer == null) {
                slow.setSoTimeout(5_000);
                answer = RawHttp.readOneResponse(slow);
            }
            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat(answer).contains("bytes per second");
        } catch (Throwable failed) {
            stop.set(true); // the steady one runs to its end otherwise, however late the 408 came
            throw failed;
        }
        steady.join(30_000);
        await("the steady upload reached the backend whole").atMost(Duration.ofSeconds(20))
                .until(() -> bodies.contains("/steady 40000 complete"));
        assertThat(bodies).noneMatch(body -> body.startsWith("/slow") && body.endsWith("complete"));
        assertThat(proxy.journal().query(JournalQuery.ALL.withPath("/steady")).get(0).status()).isEqualTo(200);
    }

    @Test
    void aCrowdOfSlowUploadsHoldsAtMostTheCapOfThreadsWhileOtherRequestsAreServed() throws Exception {
        int cap = 20;
        int crowd = 200;
        start(ResilienceSettings.builder().uploadThreads(cap).minUploadRate(0).build());
        URI url = proxy.url();
        warmUp(url);
        long threadsBefore = proxyThreads();

        List<Socket> uploads = new ArrayList<>();
        try {
            for (int i = 0; i < crowd; i++) {
                Socket upload = new Socket(url.getHost(), url.getPort());
                upload.getOutputStream().write(("POST /crowd/" + i + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"
                        + "x".repeat(10)).getBytes(StandardCharsets.US_ASCII));
                uploads.add(upload);
            }
            boolean capped = !ExchangeThreads.virtual();
            int waiting = capped ? cap : crowd;
            await("the uploads that may wait have reached the backend").atMost(Duration.ofSeconds(30))
                    .until(() -> backend.requests() >= waiting);
            if (capped) {
                await("every other upload answered 503").atMost(Duration.ofSeconds(30))
                        .until(() -> proxy.journal().query(JournalQuery.ALL.withStatus(503)).size() == crowd - cap);
            }

            // ordinary traffic goes on meanwhile: GETs, and POSTs whose body comes with the head
            for (int i = 0; i < 20; i++) {
                try (RawHttp client = new RawHttp(url, 10_000)) {
                    assertThat(client.send("GET /normal/" + i + " HTTP/1.1\nHost: x", null).read(false).status()).isEqualTo(200);
                    assertThat(client.send("POST /small/" + i + " HTTP/1.1\nHost: x\nContent-Length: 5", "hello".getBytes(StandardCharsets.US_ASCII))
                            .read(false).status()).isEqualTo(200);
                }
            }

            long threadsDuring = proxyThreads();
            long uploading = platformThreadsIn("ClientRequestBody.writeTo");
            System.out.printf("[slow-uploads] %d uploads waiting for their clients (cap %s): %d platform threads waiting on"
                            + " uploads; proxy threads %d before, %d during%n",
                    waiting, capped ? cap : "none, virtual threads", uploading, threadsBefore, threadsDuring);
            assertThat(uploading).as("platform threads waiting on uploads").isLessThanOrEqualTo(capped ? cap : 0);
            // Jetty's pool grows for the burst of 200 requests and keeps idle threads a while: a bound, not a thread per upload
            assertThat(threadsDuring - threadsBefore).as("proxy threads added by %d slow uploads", crowd).isLessThan(cap + 80);
            assertThat(backend.requests()).as("only the uploads that may wait reached the backend, and the normal requests")
                    .isEqualTo(waiting + 20 + 20 + 2);
            if (capped) {
                int refused = 0;
                for (Socket upload : uploads) {
                    upload.setSoTimeout(200);
                    try {
                        String answer = RawHttp.readOneResponse(upload);
                        assertThat(answer).startsWith("HTTP/1.1 503").contains("too many slow uploads");
                        refused++;
                    } catch (SocketTimeoutException e) {
                        // one of those that wait
                    }
                }
                assertThat(refused).isEqualTo(crowd - cap);
            }
        } finally {
            for (Socket upload : uploads) {
                upload.close();
            }
        }
    }

    /** Platform threads (virtual ones are not listed) whose stack passes through {@code frame}, as Class.method. */
    private static long platformThreadsIn(String frame) {
        return Thread.getAllStackTraces().values().stream()
                .filter(stack -> java.util.Arrays.stream(stack)
                        .anyMatch(element -> (element.getClassName().substring(element.getClassName().lastIndexOf('.') + 1)
                                + "." + element.getMethodName()).equals(frame)))
                .count();
    }

    /** The proxy's own platform threads (its data plane pool and upstream calls), not the test's or the backend's. */
    private static long proxyThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().startsWith("chaos-proxy")).count();
    }

    private static void warmUp(URI url) throws IOException {
        try (RawHttp client = new RawHttp(url, 10_000)) {
            client.send("GET /warm HTTP/1.1\nHost: x", null).read(false);
            client.send("POST /warm HTTP/1.1\nHost: x\nContent-Length: 2", "ok".getBytes(StandardCharsets.US_ASCII)).read(false);
        }
    }

    /** Uploads {@code length} bytes, {@code piece} at a time every {@code everyMillis}, on a thread of its own. */
    private static Thread trickle(URI url, String path, int length, int piece, long everyMillis, AtomicBoolean stop) {
        Thread thread = new Thread(() -> {
            try (Socket socket = new Socket(url.getHost(), url.getPort())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                for (int sent = 0; sent < length && !stop.get(); sent += piece) {
                    out.write(new byte[piece]);
                    out.flush();
                    Thread.sleep(everyMillis); // the client's own pace: the behaviour under test
                }
                RawHttp.readOneResponse(socket);
            } catch (IOException | InterruptedException e) {
                // the assertions on the backend and the journal say what went wrong
            }
        }, "steady-upload");
        thread.start();
        return thread;
    }
}
