package io.chaosproxy.junit;

import io.chaosproxy.proxy.events.ProxyEvent;
import io.chaosproxy.proxy.journal.JournalEntry;
import java.time.Instant;
import java.util.List;

/**
 * What one test's timeline report shows: the test, how it ended, the seed to replay it, and what
 * the proxy saw between {@code start} and {@code end}. {@code failure} is null for a passing test;
 * {@code seed} says which seed the test ran with and how to replay it.
 */
record Timeline(String testClass, String testName, String failure, String seed, Instant start, Instant end,
                List<JournalEntry> exchanges, List<ProxyEvent> events) {

    Timeline {
        exchanges = List.copyOf(exchanges);
        events = List.copyOf(events);
    }
}
