package io.chaosproxy.proxy.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestJournalTest {

    private static JournalEntry entry(String id, String method, String path, Integer status, Instant startedAt, String... faults) {
        return new JournalEntry(id, "default", method, path, status, List.of(faults), List.of(), 1, startedAt, null, null);
    }

    @Test
    void ringKeepsOnlyTheNewestEntriesOldestFirst() {
        RequestJournal journal = new RequestJournal(3);
        for (int i = 0; i < 10; i++) {
            journal.record(entry("r" + i, "GET", "/x", 200, Instant.now()));
        }
        assertThat(journal.entries()).extracting(JournalEntry::requestId).containsExactly("r7", "r8", "r9");
        assertThat(journal.size()).isEqualTo(10);
        assertThat(journal.capacity()).isEqualTo(3);
    }

    @Test
    void aClearStartsAfreshWhereverTheRingHadGotTo() {
        RequestJournal journal = new RequestJournal(3);
        for (int i = 0; i < 5; i++) {
            journal.record(entry("old" + i, "GET", "/x", 200, Instant.now()));
        }
        journal.clear();
        assertThat(journal.size()).isZero();
        assertThat(journal.entries()).isEmpty();

        for (int i = 0; i < 4; i++) {
            journal.record(entry("new" + i, "GET", "/x", 200, Instant.now()));
        }
        assertThat(journal.entries()).extracting(JournalEntry::requestId).containsExactly("new1", "new2", "new3");
        assertThat(journal.size()).isEqualTo(4);
    }

    @Test
    void queryFiltersByMethodPathGlobStatusFaultAndLimit() {
        RequestJournal journal = new RequestJournal(100);
        journal.record(entry("a", "GET", "/orders/1", 200, Instant.now()));
        journal.record(entry("b", "POST", "/orders/2", 503, Instant.now(), "f1"));
        journal.record(entry("c", "GET", "/payments/1", 503, Instant.now(), "f1"));
        journal.record(entry("d", "GET", "/orders/3/items", 200, Instant.now()));
        assertThat(journal.query(JournalQuery.ALL.withMethod("get"))).extracting(JournalEntry::requestId).containsExactly("a", "c", "d");
        assertThat(journal.query(JournalQuery.ALL.withPath("/orders/*"))).extracting(JournalEntry::requestId).containsExactly("a", "b");
        assertThat(journal.query(JournalQuery.ALL.withPath("/orders/**"))).extracting(JournalEntry::requestId).containsExactly("a", "b", "d");
        assertThat(journal.query(JournalQuery.ALL.withStatus(503).withFault("f1"))).extracting(JournalEntry::requestId).containsExactly("b", "c");
        assertThat(journal.query(JournalQuery.ALL.withLimit(2))).extracting(JournalEntry::requestId).containsExactly("c", "d");
    }

    @Test
    void anExchangeThatBeganBeforeAClearIsNotRecordedAfterIt() {
        RequestJournal journal = new RequestJournal(10);
        Instant beforeClear = Instant.now().minusMillis(5);
        journal.clear();
        journal.record(entry("straggler", "GET", "/x", 200, beforeClear));
        journal.record(entry("fresh", "GET", "/x", 200, Instant.now().plusMillis(1)));
        assertThat(journal.entries()).extracting(JournalEntry::requestId).containsExactly("fresh");
    }

    @Test
    void awaitReturnsAsSoonAsEnoughEntriesMatch() throws Exception {
        RequestJournal journal = new RequestJournal(10);
        CompletableFuture<List<JournalEntry>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return journal.await(JournalQuery.ALL.withPath("/pay/**"), 2, Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        journal.record(entry("1", "GET", "/pay/1", 200, Instant.now()));
        journal.record(entry("2", "GET", "/other", 200, Instant.now()));
        journal.record(entry("3", "GET", "/pay/2", 200, Instant.now()));
        assertThat(waiting.get(5, TimeUnit.SECONDS)).extracting(JournalEntry::requestId).containsExactly("1", "3");
    }

    @Test
    void awaitGivesUpAfterItsTimeoutWithWhatItFound() throws Exception {
        RequestJournal journal = new RequestJournal(10);
        journal.record(entry("1", "GET", "/pay/1", 200, Instant.now()));
        long start = System.nanoTime();
        List<JournalEntry> found = journal.await(JournalQuery.ALL, 5, Duration.ofMillis(200));
        assertThat(found).hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(195));
    }
}
