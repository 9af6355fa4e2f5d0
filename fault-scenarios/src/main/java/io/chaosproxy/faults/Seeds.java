package io.chaosproxy.faults;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Seeds derived from a seed and a label, and the numbers one decision draws: what makes a seeded
 * run replay. A rule's draws for its n-th matching request depend only on the seed, the rule's
 * name and n, never on how unrelated concurrent requests interleave; a test's seed depends only on
 * its class's seed and the test's unique id, so one test replays alone as it ran in the suite.
 */
public final class Seeds {
    private Seeds() {}

    /** A seed for {@code label} under {@code seed}: stable across JVMs and runs, different for different labels. */
    public static long derive(long seed, String label) {
        // FNV-1a over the UTF-8 bytes: String.hashCode has only 32 bits and is easily made to collide.
        long hash = 0xcbf29ce484222325L;
        for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return mix(seed ^ mix(hash));
    }

    /**
     * The source of every number drawn for the {@code matchNumber}-th request (1 for the first)
     * that matches the rule named {@code rule}: its probability draw first, then its delays.
     */
    public static RandomGenerator draws(long seed, String rule, long matchNumber) {
        return new SplittableRandom(mix(derive(seed, rule) + mix(matchNumber)));
    }

    /** SplitMix64's finalizer: every input bit reaches every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
