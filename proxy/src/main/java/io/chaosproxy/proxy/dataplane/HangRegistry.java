package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.InstalledRule;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exchanges held by a rule: a hang, or a latency being waited out. Nothing waits on a thread: each
 * parked exchange is a pair of callbacks, dropped when the client leaves. When its rule is removed
 * the exchange proceeds ({@link #release}), unless a reset removed it: then the exchange ends
 * ({@link #end}), for a request held in one test must not reach the backend during the next.
 */
final class HangRegistry {
    private record Parked(Runnable resume, Runnable end) {}

    private final Map<String, Set<Parked>> parked = new ConcurrentHashMap<>();

    /** Parks an exchange until the rule goes away; returns the handle to cancel it with. */
    Runnable park(String ruleId, Runnable resume, Runnable end) {
        Parked one = new Parked(resume, end);
        parked.computeIfAbsent(ruleId, id -> ConcurrentHashMap.newKeySet()).add(one);
        // the last one out removes the rule's entry, or a rule removed while an exchange was
        // parking would leave an empty set behind for good
        return () -> parked.computeIfPresent(ruleId, (id, waiting) -> {
            waiting.remove(one);
            return waiting.isEmpty() ? null : waiting;
        });
    }

    /** The rule was removed: its exchanges go on. */
    void release(InstalledRule rule) {
        Set<Parked> waiting = parked.remove(rule.id());
        if (waiting == null) {
            return;
        }
        for (Parked one : waiting) {
            one.resume().run();
        }
    }

    /** The rule was removed by a reset: its exchanges end, unanswered. */
    void end(InstalledRule rule) {
        Set<Parked> waiting = parked.remove(rule.id());
        if (waiting == null) {
            return;
        }
        for (Parked one : waiting) {
            one.end().run();
        }
    }

    int parkedCount() {
        int count = 0;
        for (Set<Parked> waiting : parked.values()) {
            count += waiting.size();
        }
        return count;
    }
}
