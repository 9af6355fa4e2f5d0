package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.InstalledRule;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fault engine as the TCP pipes read it: a generation number that moves on every change of the
 * rules, so a connection recomputes its faults only when something changed (a chunk costs one
 * volatile read otherwise).
 */
final class RuleFeed {
    private final FaultEngine engine;
    private final AtomicLong generation = new AtomicLong();

    RuleFeed(FaultEngine engine, Runnable afterChange) {
        this.engine = engine;
        engine.onChange(() -> {
            generation.incrementAndGet();
            afterChange.run();
        });
    }

    long generation() {
        return generation.get();
    }

    /** The live rules, oldest first; expired ones are removed on the way (which moves the generation). */
    List<InstalledRule> rules() {
        return engine.rules();
    }

    boolean firesOnConnection(InstalledRule rule) {
        return engine.firesOnConnection(rule);
    }

    boolean isLive(InstalledRule rule) {
        return engine.rules().contains(rule);
    }

    Instant now() {
        return engine.clock().instant();
    }

    long seed() {
        return engine.seed();
    }
}
