package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.InstalledRule;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An exchange, or one attempt of it, held by a hang rule: it goes on, once, when the rule is
 * removed or its {@code durationMs} runs out, unless {@link #release() released} first (the client
 * left, the attempt timed out); a reset that removes the rule ends it instead.
 *
 * <p>Nothing waits on a thread: the hold is a callback in the {@link HangRegistry}, and the
 * removal of the rule is what releases it; the {@link ExpiryWatch} removes a rule that expires on
 * time, since a held exchange cannot count on another request noticing.
 */
final class HangHold {
    private final Runnable goOn;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Runnable unpark;

    HangHold(FaultEngine faults, ExpiryWatch expiries, HangRegistry hangs, InstalledRule rule, Runnable goOn,
             Runnable end, java.util.function.BooleanSupplier resetSinceDecided) {
        this.goOn = goOn;
        Runnable endOnce = () -> {
            if (settled.compareAndSet(false, true)) {
                end.run();
            }
        };
        this.unpark = hangs.park(rule.id(), this::goOnOnce, endOnce);
        expiries.watch(rule);
        if (faults.find(rule.id()).isEmpty()) {
            // the rule went away while we were parking: nothing will release us, so go on now,
            // or end now if a reset removed it
            unpark.run();
            if (resetSinceDecided.getAsBoolean()) {
                endOnce.run();
            } else {
                goOnOnce();
            }
        }
    }

    /** Ends the hold without going on; true when it did, false when the exchange had gone on already. */
    boolean release() {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        unpark.run();
        return true;
    }

    /** Released by the rule's removal and by the check after parking, maybe both: go on once. */
    private void goOnOnce() {
        if (settled.compareAndSet(false, true)) {
            goOn.run();
        }
    }
}
