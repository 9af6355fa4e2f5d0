package io.chaosproxy.proxy.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition a test can observe but not be told of (a socket state, a count), polling briefly. */
public final class Eventually {
    private Eventually() {}

    /** Returns once {@code condition} holds; fails naming {@code what} when it has not within {@code limit}. */
    public static void until(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toMillis() + "ms: " + what);
            }
            try {
                Thread.sleep(10); // polling a state nobody signals, not ordering events
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
