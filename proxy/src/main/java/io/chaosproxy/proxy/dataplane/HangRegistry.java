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
        Set<Runnable> waiting = parked.computeIfAbsent(ruleId, id -> ConcurrentHashMap.newKeySet());
        waiting.add(resume);
        return () -> waiting.remove(resume);
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
