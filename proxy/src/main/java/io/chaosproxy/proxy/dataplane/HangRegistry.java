package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.InstalledRule;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exchanges held by a hang rule. Nothing waits on a thread: each parked exchange is a callback,
 * run when its rule is removed (then the exchange proceeds) or dropped when the client leaves.
 */
final class HangRegistry {
    private final Map<String, Set<Runnable>> parked = new ConcurrentHashMap<>();

    /** Parks {@code resume} until the rule goes away; returns the handle to cancel it with. */
    Runnable park(String ruleId, Runnable resume) {
        parked.computeIfAbsent(ruleId, id -> ConcurrentHashMap.newKeySet()).add(resume);
        // the last one out removes the rule's entry, or a rule removed while an exchange was
        // parking would leave an empty set behind for good
        return () -> parked.computeIfPresent(ruleId, (id, waiting) -> {
            waiting.remove(resume);
            return waiting.isEmpty() ? null : waiting;
        });
    }

    void release(InstalledRule rule) {
        Set<Runnable> waiting = parked.remove(rule.id());
        if (waiting == null) {
            return;
        }
        for (Runnable resume : waiting) {
            resume.run();
        }
    }

    int parkedCount() {
        int count = 0;
        for (Set<Runnable> waiting : parked.values()) {
            count += waiting.size();
        }
        return count;
    }
}
