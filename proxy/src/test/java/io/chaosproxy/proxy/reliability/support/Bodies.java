package io.chaosproxy.proxy.reliability.support;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic pseudo-random bodies: a seed and a length name a body exactly, so a sender can
 * stream it without holding it and a receiver can check it by digest without having seen it.
 * The bytes come from xorshift64*: no period a chunk size could line up with, unlike a counter.
 */
public final class Bodies {
    private Bodies() {}

    /** A stream of the body named by {@code seed}, read in pieces of any size. */
    public static final class Generator {
        private long state;
        private long current;
        private int left;

        public Generator(long seed) {
            this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        }

        public void next(byte[] buffer, int offset, int length) {
            for (int i = offset, end = offset + length; i < end; i++) {
                if (left == 0) {
                    state ^= state >>> 12;
                    state ^= state << 25;
                    state ^= state >>> 27;
                    current = state * 0x2545F4914F6CDD1DL;
                    left = 8;
                }
                buffer[i] = (byte) current;
                current >>>= 8;
                left--;
            }
        }
    }

    /** SHA-256 (hex) of the body named by {@code seed} and {@code length}. */
    public static String sha256(long seed, long length) {
        MessageDigest digest = newDigest();
        Generator generator = new Generator(seed);
        byte[] buffer = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(buffer.length, left);
            generator.next(buffer, 0, n);
            digest.update(buffer, 0, n);
            left -= n;
        }
        return hex(digest);
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
