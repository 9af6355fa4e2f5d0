package io.chaosproxy.proxy.resilience;

import static io.chaosproxy.proxy.resilience.Answers.neverAnswers;
import static io.chaosproxy.proxy.resilience.Answers.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.resilience.ProxyWithBackends.Reply;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three clocks bound an exchange: the connect timeout, the try timeout (one attempt, until the
 * response headers) and the deadline over all attempts and backoffs, which retries never exceed.
 */
class DeadlineTest {
    private ProxyWithBackends proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void retriesNeverOutlastTheDeadline() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings()
                .maxAttempts(3).tryTimeout(Duration.ofMillis(400)).deadline(Duration.ofMillis(500)).build());
        SharedScript.always(proxy.backends, neverAnswers());

        Reply reply = proxy.get("/stuck");

        assertThat(reply.status()).isEqualTo(504);
        assertThat(reply.text()).contains("deadline");
        assertThat(reply.elapsedMillis()).as("the deadline is 500 ms").isGreaterThanOrEqualTo(500);
        assertThat(reply.elapsedMillis()).as("never three try timeouts (1200 ms)").isLessThan(1200);
        JournalEntry entry = proxy.journalEntry("/stuck");
        assertThat(entry.attempts()).hasSize(2).extracting(Attempt::error).containsOnly("timeout");
        assertThat(entry.attempts().get(0).durationMs()).isGreaterThanOrEqualTo(400);
    }

    @Test
    void eachAttemptIsCutAtTheTryTimeout() throws Exception {
        proxy = ProxyWithBackends.start(2, ProxyWithBackends.quickSettings().tryTimeout(Duration.ofMillis(1000)).build());
        SharedScript.install(proxy.backends, List.of(neverAnswers()), ok("second"));

        Reply reply = proxy.get("/slow");

        assertThat(reply.text()).isEqualTo("second");
        assertThat(reply.elapsedMillis()).isGreaterThanOrEqualTo(1000).isLessThan(4000);
        assertThat(proxy.journalEntry("/slow").attempts().get(0).durationMs()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void withoutRetriesATimedOutAttemptIs504() throws Exception {
        proxy = ProxyWithBackends.start(1, ProxyWithBackends.quickSettings()
                .maxAttempts(1).tryTimeout(Duration.ofMillis(300)).build());
        SharedScript.always(proxy.backends, neverAnswers());

        Reply reply = proxy.get("/slow");

        assertThat(reply.status()).isEqualTo(504);
        assertThat(reply.text()).contains("within 300ms");
        assertThat(reply.elapsedMillis()).isGreaterThanOrEqualTo(300).isLessThan(3000);
    }

    @Test
    void theTryTimeoutEndsWithTheHeadersSoASlowBodyStillStreams() throws Exception {
        proxy = ProxyWithBackends.start(1, ProxyWithBackends.quickSettings().tryTimeout(Duration.ofMillis(1000)).build());
        proxy.backend(0).enqueue(new MockResponse.Builder().code(200).body("slow but whole")
                .bodyDelay(1500, TimeUnit.MILLISECONDS).build());

        Reply reply = proxy.get("/slow-body");

        assertThat(reply.text()).isEqualTo("slow but whole");
        assertThat(reply.elapsedMillis()).isGreaterThanOrEqualTo(1500);
        assertThat(proxy.upstreamRequests()).isEqualTo(1);
    }

    @Test
    void aBackendThatCannotBeConnectedToInTimeIsUnreachable() throws Exception {
        try (ServerSocket full = new ServerSocket()) {
            full.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            List<Socket> fillers = fillTheAcceptQueue(full);
            try {
                proxy = ProxyWithBackends.start(List.of("http://127.0.0.1:" + full.getLocalPort() + "/"), List.of(),
                        ProxyWithBackends.quickSettings().maxAttempts(1)
                                .connectTimeout(Duration.ofMillis(300)).tryTimeout(Duration.ofSeconds(10)).build());

                Reply reply = proxy.get("/unreachable");

                assertThat(reply.status()).isEqualTo(502);
                assertThat(reply.elapsedMillis()).isGreaterThanOrEqualTo(300).isLessThan(3000);
                assertThat(proxy.journalEntry("/unreachable").attempts()).extracting(Attempt::error)
                        .containsExactly("connect timeout");
            } finally {
                for (Socket filler : fillers) {
                    filler.close();
                }
            }
        }
    }

    /** A listener nobody accepts on: once its queue is full, the kernel ignores new handshakes. */
    private static List<Socket> fillTheAcceptQueue(ServerSocket full) throws Exception {
        List<Socket> fillers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(full.getLocalSocketAddress(), 200);
                fillers.add(filler);
            } catch (java.net.SocketTimeoutException e) {
                filler.close();
                return fillers; // the queue is full
            }
        }
        for (Socket filler : fillers) {
            filler.close();
        }
        // without a full queue there is no unreachable backend to test against: fail, never skip
        throw new IllegalStateException("could not fill the listen backlog: this kernel accepts handshakes beyond it");
    }
}
