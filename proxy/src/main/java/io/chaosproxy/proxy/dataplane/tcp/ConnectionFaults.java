package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.Direction;
import io.chaosproxy.faults.InstalledRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which rules act on one TCP connection. Whether a rule fires on it is decided once, the first
 * time the rule meets the connection (at open for the rules then installed, at the next chunk for
 * rules installed later), from the engine's seeded generator; a fired rule then acts as long as
 * it is installed. Byte counts of hangs and after-bytes drops run from that first meeting.
 */
final class ConnectionFaults {
    private final RuleFeed feed;
    private final String proxy;
    private final Supplier<long[]> carried; // {up, down}: bytes each direction has forwarded
    private final Map<InstalledRule, Decision> decided = new IdentityHashMap<>();
    private final List<InstalledRule> fired = new ArrayList<>(1);
    private volatile Snapshot current = new Snapshot(-1, DirectionFaults.NONE, DirectionFaults.NONE, Long.MAX_VALUE);

    /** The outcome for one rule, with each direction's byte count at that moment. */
    private record Decision(boolean fired, long upAt, long downAt) {}

    /** The faults in force, valid until the rules change or the earliest of them expires. */
    private record Snapshot(long generation, DirectionFaults up, DirectionFaults down, long validUntilMillis) {}

    ConnectionFaults(RuleFeed feed, String proxy, Supplier<long[]> carried) {
        this.feed = feed;
        this.proxy = proxy;
        this.carried = carried;
    }

    /** The faults acting on one direction now. */
    DirectionFaults now(boolean upstream) {
        Snapshot snapshot = current;
        if (snapshot.generation() != feed.generation()
                || (snapshot.validUntilMillis() != Long.MAX_VALUE && feed.now().toEpochMilli() >= snapshot.validUntilMillis())) {
            snapshot = refresh(false).snapshot();
        }
        return upstream ? snapshot.up() : snapshot.down();
    }

    /** Decides every rule for a connection just accepted; returns the cut of a drop at connect, or null. */
    DirectionFaults.Cut atConnect() {
        return refresh(true).connectCut();
    }

    /** A {@code target: upstream} rule fired on the backend connect: it belongs in the journal too. */
    synchronized void firedUpstream(InstalledRule rule) {
        if (!fired.contains(rule)) {
            fired.add(rule);
        }
    }

    /** The rules that fired on this connection, in the order they did: its journal entry's {@code faults}. */
    synchronized List<InstalledRule> fired() {
        return List.copyOf(fired);
    }

    private record Refreshed(Snapshot snapshot, DirectionFaults.Cut connectCut) {}

    private synchronized Refreshed refresh(boolean opening) {
        long generation = feed.generation(); // before reading the rules: a change meanwhile refreshes again
        List<InstalledRule> rules = feed.rules();
        long[] bytes = carried.get();
        DirectionFaults.Builder up = new DirectionFaults.Builder();
        DirectionFaults.Builder down = new DirectionFaults.Builder();
        DirectionFaults.Cut connectCut = null;
        long validUntil = Long.MAX_VALUE;
        for (InstalledRule rule : rules) {
            if (!TcpRules.applies(rule.rule(), proxy)) {
                continue;
            }
            boolean connectOnly = TcpRules.atConnect(rule.rule());
            Decision decision = decided.get(rule);
            if (decision == null) {
                if (connectOnly && !opening) {
                    continue; // a drop at connect acts on new connections only
                }
                decision = new Decision(feed.firesOnConnection(rule), bytes[0], bytes[1]);
                decided.put(rule, decision);
                if (decision.fired()) {
                    fired.add(rule);
                }
            }
            if (!decision.fired()) {
                continue;
            }
            if (connectOnly) {
                if (opening && connectCut == null) {
                    connectCut = TcpRules.connectCut(rule);
                }
                continue;
            }
            Direction direction = TcpRules.direction(rule.rule());
            if (direction.covers(Direction.UPSTREAM)) {
                TcpRules.addTo(up, rule, decision.upAt());
            }
            if (direction.covers(Direction.DOWNSTREAM)) {
                TcpRules.addTo(down, rule, decision.downAt());
            }
            if (rule.expiresAt() != null) {
                validUntil = Math.min(validUntil, rule.expiresAt().toEpochMilli());
            }
        }
        // forget rules that are gone, so a connection pooled for hours does not collect them
        Set<InstalledRule> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(rules);
        decided.keySet().retainAll(live);
        Snapshot snapshot = new Snapshot(generation, up.build(), down.build(), validUntil);
        current = snapshot;
        return new Refreshed(snapshot, connectCut);
    }
}
