package io.chaosproxy.proxy.journal;

import io.chaosproxy.faults.InstalledRule;
import java.util.List;

/** Told once about every finished exchange: the journal, the access log and the metrics listen. */
@FunctionalInterface
public interface ExchangeListener {
    void onExchange(JournalEntry entry, String query, List<InstalledRule> firedRules);
}
