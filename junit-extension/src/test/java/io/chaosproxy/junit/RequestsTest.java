package io.chaosproxy.junit;

import static io.chaosproxy.junit.Faults.drop;
import static io.chaosproxy.junit.Faults.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.proxy.journal.JournalEntry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code proxy.requests()}: the journal as a test filters, counts, awaits and asserts on it. */
class RequestsTest {

    @StartStop
    static final MockWebServer backend = new MockWebServer();

    @RegisterExtension
    static final ChaosProxy proxy = ChaosProxy.builder().maxAttempts(3).breakerFailures(0).build();

    static final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void pointAtTheBackend() {
        TestHttp.answerOk(backend);
        proxy.upstream(backend.url("/"));
    }

    @AfterAll
    static void stopLater() {
        later.shutdownNow();
    }

    @Test
    void filtersNarrowTheJournal() {
        InjectedFault teapot = proxy.inject(error(418).onPath("/tea/**"));
        TestHttp.get(proxy.url(), "/orders/1");
        TestHttp.post(proxy.url(), "/orders");
        TestHttp.get(proxy.url(), "/tea/earl-grey");

        proxy.requests().assertCount(3);
        proxy.requests().withMethod("post").assertCount(1);
        proxy.requests().toPath("/orders/*").assertCount(1);
        proxy.requests().toPath("/orders/**").assertCount(2);
        proxy.requests().withStatus(418).assertCount(1);
        proxy.requests().withFault(teapot).assertCount(1);
        proxy.requests().onProxy("default").withMethod("GET").toPath("/orders/**").withStatus(200).assertCount(1);
        proxy.requests().matching("with a single attempt", entry -> entry.attempts().size() == 1).assertCount(2);

        List<JournalEntry> orders = proxy.requests().toPath("/orders/**").list();
        assertThat(orders).extracting(JournalEntry::method).containsExactly("GET", "POST");
        assertThat(proxy.requests().toPath("/tea/**").last().faults()).containsExactly(teapot.id());
    }

    @Test
    void attemptsCountWhatTheBackendsSawRetriesIncluded() {
        proxy.inject(drop().upstream().times(2)); // two attempts fail, the third gets through

        assertThat(TestHttp.get(proxy.url(), "/retried")).isEqualTo(200);

        JournalEntry entry = proxy.requests().toPath("/retried").last();
        assertThat(entry.attempts()).hasSize(3);
        assertThat(proxy.requests().toPath("/retried").attempts()).isEqualTo(3);
        assertThat(proxy.requests().withoutResponse().count()).isZero();
    }

    @Test
    void awaitWaitsForAnAsynchronousServiceWithoutSleeping() {
        for (int i = 1; i <= 3; i++) {
            int n = i;
            later.schedule(() -> TestHttp.post(proxy.url(), "/payments/" + n), 100L * i, TimeUnit.MILLISECONDS);
        }

        long started = System.nanoTime();
        List<JournalEntry> payments = proxy.requests().toPath("/payments/**").await(3, Duration.ofSeconds(5));

        assertThat(payments).extracting(JournalEntry::path).containsExactly("/payments/1", "/payments/2", "/payments/3");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void anAwaitThatTimesOutPrintsWhatWasRecorded() {
        TestHttp.get(proxy.url(), "/payments/1");
        TestHttp.get(proxy.url(), "/orders/7");

        assertThatThrownBy(() -> proxy.requests().toPath("/payments/**").await(2, Duration.ofMillis(200)))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("expected at least 2 requests to /payments/** within 200 ms, but 1 was recorded.\n"
                        + "recorded requests, oldest first (2):\n  GET /payments/1 -> 200 (")
                .hasMessageContaining("\n  GET /orders/7 -> 200 (");
    }

    @Test
    void aFailedCountPrintsWhatWasRecorded() {
        proxy.inject(error(503).named("down"));
        TestHttp.get(proxy.url(), "/a");

        assertThatThrownBy(() -> proxy.requests().withStatus(200).assertCount(1))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("expected 1 request with status 200, but 0 were recorded.\n"
                        + "recorded requests, oldest first (1):\n  GET /a -> 503 (")
                .hasMessageContaining(" faults [f")
                .hasMessageContaining(" attempts [] proxy default id ");
        assertThatThrownBy(() -> proxy.requests().withStatus(200).last())
                .hasMessageStartingWith("expected a request with status 200, but none was recorded.\nrecorded requests");
    }

    @Test
    void anExchangeStillInFlightAtTheResetBelongsToTheTestBefore() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getTarget().equals("/before-reset")) {
                    arrived.countDown();
                    release.await(5, TimeUnit.SECONDS); // held by the backend until the reset is done
                }
                return new MockResponse.Builder().code(200).body(request.getTarget()).build();
            }
        });
        try {
            CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(() -> TestHttp.get(proxy.url(), "/before-reset"));
            assertThat(arrived.await(5, TimeUnit.SECONDS)).as("the request is on its way: the backend has it").isTrue();

            proxy.reset(); // as before the next test
            release.countDown();

            assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo(200);
            TestHttp.get(proxy.url(), "/after-reset");
            proxy.requests().assertCount(1);
            assertThat(proxy.requests().last().path()).isEqualTo("/after-reset");
        } finally {
            release.countDown();
            TestHttp.answerOk(backend);
        }
    }

    @Test
    void aBadPathGlobIsRefusedAtOnce() {
        assertThatThrownBy(() -> proxy.requests().toPath("payments"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("path must start with '/'");
    }

    @Test
    void failureMessagesCallARuleByItsName() {
        InjectedFault one503 = proxy.inject(error(503).named("one-503").times(1));
        TestHttp.post(proxy.url(), "/payments");

        assertThatThrownBy(() -> proxy.requests().withFault(one503).assertCount(2))
                .hasMessageContaining("expected 2 requests hit by fault \"one-503\" (" + one503.id() + "), but 1 was recorded");
    }

    @Test
    void assertCountTakesWhatFiredReturns() {
        InjectedFault teapot = proxy.inject(error(418));
        TestHttp.get(proxy.url(), "/tea");
        TestHttp.get(proxy.url(), "/tea");

        proxy.requests().withFault(teapot).assertCount(teapot.fired());
        assertThat(teapot.fired()).isEqualTo(2);
    }

    @Test
    void ruleIdsStartAgainInEachTest() {
        // every test of this class injects its first rule after the reset, so it is always f1
        assertThat(proxy.inject(error(500).onPath("/nowhere")).id()).isEqualTo("f1");
        assertThat(proxy.inject(error(500).onPath("/nowhere/either")).id()).isEqualTo("f2");
    }

    @Test
    void howLongAssertionsWaitIsChosenPerView() {
        assertThatThrownBy(() -> proxy.requests().waitingUpTo(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wait must not be negative");

        // recorded 300 ms from now: a wait of 5 s sees it, where the default 500 ms could be too short on a loaded machine
        later.schedule(() -> TestHttp.get(proxy.url(), "/late"), 300, TimeUnit.MILLISECONDS);
        assertThat(proxy.requests().toPath("/late").waitingUpTo(Duration.ofSeconds(5)).last().path()).isEqualTo("/late");
    }
}
