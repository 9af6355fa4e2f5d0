package io.chaosproxy.proxy.journal;

/**
 * Lower-case hex ids to and from numbers: the UUID form of the request ids the proxy makes and
 * W3C trace context's trace-ids and parent-ids. The one codec for both sides of them: the tracing
 * package makes and checks ids with it, and {@link PackedEntry} keeps them in the journal as numbers.
 */
public final class HexIds {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private HexIds() {}

    /** 8-4-4-4-12 lower-case hex digits: the form of the ids the proxy makes. */
    public static boolean isUuid(String id) {
        if (id == null || id.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = id.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : digit(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** 32 lower-case hex digits: a W3C trace-id. */
    public static boolean isTraceId(String id) {
        return id.length() == 32 && isLowerHex(id);
    }

    /** Only the digits 0-9 and a-f (true for an empty string). */
    public static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (digit(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    static long uuidHigh(String uuid) {
        return parse(uuid, 0, 8) << 32 | parse(uuid, 9, 13) << 16 | parse(uuid, 14, 18);
    }

    static long uuidLow(String uuid) {
        return parse(uuid, 19, 23) << 48 | parse(uuid, 24, 36);
    }

    /** The UUID form of 128 bits, {@code high} first. */
    public static String uuid(long high, long low) {
        char[] out = new char[36];
        put(out, 0, high >>> 32, 8);
        out[8] = '-';
        put(out, 9, high >>> 16, 4);
        out[13] = '-';
        put(out, 14, high, 4);
        out[18] = '-';
        put(out, 19, low >>> 48, 4);
        out[23] = '-';
        put(out, 24, low, 12);
        return new String(out);
    }

    /** A 32-digit trace-id of 128 bits, {@code high} first. */
    public static String traceId(long high, long low) {
        char[] out = new char[32];
        put(out, 0, high, 16);
        put(out, 16, low, 16);
        return new String(out);
    }

    /** The low {@code digits} hex digits of {@code value}, zero-padded: a 16-digit parent-id, say. */
    public static String hex(long value, int digits) {
        char[] out = new char[digits];
        put(out, 0, value, digits);
        return new String(out);
    }

    /** The hex digits {@code from} (inclusive) to {@code to} (exclusive), already checked, as a number. */
    static long parse(String s, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            value = value << 4 | digit(s.charAt(i));
        }
        return value;
    }

    private static void put(char[] out, int at, long value, int digits) {
        for (int i = at + digits - 1; i >= at; i--) {
            out[i] = DIGITS[(int) (value & 0xf)];
            value >>>= 4;
        }
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }
}
