package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.journal.JournalEntry;
import java.util.List;

/** Told once about every finished exchange: the journal, the access log and the metrics listen. */
@FunctionalInterface
public interface ExchangeListener {
    void onExchange(JournalEntry entry, String query, List<InstalledRule> firedRules);
}
