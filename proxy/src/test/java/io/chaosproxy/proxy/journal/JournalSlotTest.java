package io.chaosproxy.proxy.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.tracing.RequestIds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JournalSlotTest {
    private static final Instant STARTED = Instant.ofEpochSecond(1_796_000_000L, 123_456_789);
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final Attempt ANSWERED = new Attempt("http://127.0.0.1:9000", 200, null, 3);

    private static JournalEntry exchange(String requestId, String traceId, List<Attempt> attempts) {
        return new JournalEntry(requestId, "default", "GET", "/orders/1", 200, List.of(), attempts, 4, STARTED,
                null, null, traceId, null, null);
    }

    static Stream<JournalEntry> commonExchanges() {
        return Stream.of(
                exchange(RequestIds.generate(), TRACE, List.of(ANSWERED)),
                exchange("01234567-89ab-cdef-fedc-ba9876543210", "0123456789abcdeffedcba9876543210", List.of(ANSWERED)),
                exchange("ffffffff-ffff-ffff-ffff-ffffffffffff", "ffffffffffffffffffffffffffffffff", List.of(ANSWERED)),
                exchange("00000000-0000-0000-0000-000000000000", "00000000000000000000000000000001", List.of(ANSWERED)),
                exchange(RequestIds.generate(), null, List.of(ANSWERED)),
                exchange(RequestIds.generate(), TRACE, List.of()),
                exchange(RequestIds.generate(), TRACE, List.of(new Attempt("http://b:1", null, "connect refused", 0))),
                new JournalEntry(RequestIds.generate(), "orders", "POST", "/pay?x=%C3%A9", null, List.of("latency-1", "error-2"),
                        List.of(ANSWERED), 1_250, STARTED, "outage (phase 2)", "dropped: reset", TRACE, null, null),
                new JournalEntry(RequestIds.generate(), "grpc", "POST", "/pkg.Service/Call", 200, List.of(), List.of(ANSWERED),
                        0, Instant.EPOCH, null, null, TRACE, 14, null),
                new JournalEntry(RequestIds.generate(), "default", null, null, null, List.of(), List.of(), 0, STARTED,
                        null, "client gave up", null, null, null));
    }

    /** What a reader of the ring gets back for an entry written into a slot. */
    private static PackedEntry throughASlot(JournalEntry entry) {
        JournalSlot slot = new JournalSlot();
        KnownPaths paths = new KnownPaths();
        slot.write(41, new JournalEntry("00000000-0000-0000-0000-000000000001", "before", "GET", "/before", 200,
                List.of(), List.of(ANSWERED), 1, STARTED, null, null, null, null, null), paths);
        slot.write(42, entry, paths); // written over in place, as the ring does
        assertThat(slot.read(41)).as("the entry it held before").isNull();
        return slot.read(42);
    }

    @ParameterizedTest
    @MethodSource("commonExchanges")
    void aCommonExchangeIsKeptAsNumbersAndUnpacksEqual(JournalEntry entry) {
        PackedEntry packed = throughASlot(entry);

        assertThat(packed).isInstanceOf(PackedEntry.Compact.class);
        assertThat(packed.unpack()).isEqualTo(entry);
        assertThat(packed.proxy()).isEqualTo(entry.proxy());
        assertThat(packed.method()).isEqualTo(entry.method());
        assertThat(packed.path()).isEqualTo(entry.path());
        assertThat(packed.status()).isEqualTo(entry.status());
        assertThat(packed.faults()).isEqualTo(entry.faults());
    }

    static Stream<JournalEntry> everythingElse() {
        return Stream.of(
                exchange("order-42", TRACE, List.of(ANSWERED)), // the client's own X-Request-Id
                exchange(RequestIds.generate().toUpperCase(), TRACE, List.of(ANSWERED)),
                exchange("0af7651916cd43dd8448eb211c80319c", TRACE, List.of(ANSWERED)), // hex, but not in UUID form
                exchange(RequestIds.generate(), "4BF92F3577B34DA6A3CE929D0E0E4736", List.of(ANSWERED)),
                exchange(RequestIds.generate(), "short", List.of(ANSWERED)),
                exchange(RequestIds.generate(), TRACE, List.of(new Attempt("http://a:1", 503, null, 2), ANSWERED)),
                exchange(RequestIds.generate(), TRACE, List.of(new Attempt("http://a:1", 200, null, 2, List.of("slow-backend")))),
                exchange(null, TRACE, List.of(ANSWERED)),
                exchange("0123456789ab-cdef-fedc-ba98-76543210", TRACE, List.of(ANSWERED)), // 36 characters, dashes elsewhere
                // the int that stands for "no status" inside a slot, sent for real
                exchange(RequestIds.generate(), TRACE, List.of(new Attempt("http://a:1", Integer.MIN_VALUE, null, 2))),
                new JournalEntry(RequestIds.generate(), "grpc", "POST", "/pkg.Service/Call", 200, List.of(), List.of(ANSWERED),
                        0, STARTED, null, null, TRACE, Integer.MIN_VALUE, null),
                new JournalEntry("tcp-7", "postgres", List.of(), List.of(new Attempt("tcp://127.0.0.1:5432", null, null, 9)), 9,
                        STARTED, null, null, new ConnectionRecord("tcp", "127.0.0.1:50000", "tcp://127.0.0.1:5432", 10, 20,
                                ConnectionRecord.END_CLIENT_CLOSED)));
    }

    @ParameterizedTest
    @MethodSource("everythingElse")
    void anythingElseIsKeptWhole(JournalEntry entry) {
        PackedEntry packed = throughASlot(entry);

        assertThat(packed).isInstanceOf(PackedEntry.Whole.class);
        assertThat(packed.unpack()).isSameAs(entry);
    }

    @Test
    void theJournalGivesBackWhatItWasGivenWhicheverWayItKeptIt() {
        RequestJournal journal = new RequestJournal(100);
        List<JournalEntry> given = Stream.concat(commonExchanges(), everythingElse()).toList();
        given.forEach(journal::record);

        assertThat(journal.entries()).containsExactlyElementsOf(given);
        assertThat(journal.query(JournalQuery.ALL.withProxy("orders").withFault("error-2")))
                .containsExactly(given.get(7));
        assertThat(journal.query(JournalQuery.ALL.withStatus(200).withLimit(2)))
                .containsExactlyElementsOf(given.stream().filter(e -> Integer.valueOf(200).equals(e.status()))
                        .skip(given.stream().filter(e -> Integer.valueOf(200).equals(e.status())).count() - 2).toList());
    }

    @Test
    void awaitCountCountsWhatAwaitWouldReturn() throws Exception {
        RequestJournal journal = new RequestJournal(100);
        commonExchanges().forEach(journal::record);
        JournalQuery ok = JournalQuery.ALL.withStatus(200);

        assertThat(journal.awaitCount(ok, 1, java.time.Duration.ZERO))
                .isEqualTo(journal.await(ok, 1, java.time.Duration.ZERO).size())
                .isEqualTo((int) commonExchanges().filter(e -> Integer.valueOf(200).equals(e.status())).count());
    }

    /** An entry whose every field says which one it is, so that a mix of two entries shows. */
    private static JournalEntry numbered(long n) {
        return new JournalEntry(HexIds.uuid(n, ~n), "p" + (n % 7), "GET", "/n/" + n, 200 + (int) (n % 300), List.of(),
                List.of(new Attempt("http://b:" + (n % 5), 500 - (int) (n % 300), null, n)), n,
                Instant.ofEpochSecond(STARTED.getEpochSecond() + n, n % 1_000_000_000), null, null,
                HexIds.traceId(~n, n), null, null);
    }

    @Test
    void readersGetWholeEntriesWithNoGapWhileTheRingIsWrittenOver() throws Exception {
        RequestJournal journal = new RequestJournal(16); // written over every 16 entries: readers race the writer
        int total = 300_000;
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch readersReading = new CountDownLatch(2);
        AtomicLong checked = new AtomicLong();
        List<String> wrong = new CopyOnWriteArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(daemon(() -> {
                try {
                    while (!stop.get() && wrong.isEmpty()) {
                        List<JournalEntry> read = journal.entries();
                        readersReading.countDown();
                        long previous = -1;
                        for (JournalEntry entry : read) {
                            long n = Long.parseLong(entry.path().substring("/n/".length()));
                            if (!entry.equals(numbered(n))) {
                                wrong.add("torn: " + entry);
                            } else if (previous >= 0 && n != previous + 1) {
                                wrong.add("not the next one: " + n + " after " + previous);
                            }
                            previous = n;
                            checked.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    wrong.add("reader failed: " + t);
                }
            }));
        }
        Thread writer = daemon(() -> {
            try {
                readersReading.await(10, TimeUnit.SECONDS); // so that the reads overlap the writes
                for (long n = 0; n < total && !stop.get(); n++) {
                    journal.record(numbered(n));
                }
            } catch (Throwable t) {
                wrong.add("writer failed: " + t);
            } finally {
                stop.set(true);
            }
        });
        readers.forEach(Thread::start);
        writer.start();
        writer.join(TimeUnit.SECONDS.toMillis(60));
        stop.set(true); // also when the writer overran its time: every thread stops either way
        writer.join(TimeUnit.SECONDS.toMillis(10));
        for (Thread reader : readers) {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }

        assertThat(wrong).isEmpty();
        assertThat(journal.size()).as("entries recorded").isEqualTo(total);
        assertThat(checked.get()).as("entries the readers checked").isPositive();
        assertThat(journal.entries()).containsExactlyElementsOf(
                java.util.stream.LongStream.range(total - 16, total).mapToObj(JournalSlotTest::numbered).toList());
    }

    private static Thread daemon(Runnable body) {
        Thread thread = new Thread(body);
        thread.setDaemon(true);
        return thread;
    }
}
