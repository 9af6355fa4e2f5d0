package io.chaosproxy.proxy.tracing;

import io.chaosproxy.proxy.journal.HexIds;
import java.util.concurrent.ThreadLocalRandom;

/** Keeps a client's {@code X-Request-Id} when it is valid, otherwise makes a new one. */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";

    /** Long enough for any id scheme in use (UUIDs, ULIDs, prefixed ids); short enough to log. */
    static final int MAX_LENGTH = 200;

    private RequestIds() {}

    /** The id to use for this exchange: the client's own when valid, else a fresh one. */
    public static String keepOrGenerate(String fromClient) {
        return isValid(fromClient) ? fromClient : generate();
    }

    /** 1-200 visible ASCII characters: anything else could break a log line or a header. */
    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** A random 128-bit id in UUID form; random rather than sequential so ids never collide across runs. */
    public static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return HexIds.uuid(random.nextLong(), random.nextLong());
    }
}
