package io.chaosproxy.faults;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Error: answer with HTTP {@code status} (400-599), {@code body} (text, default empty) and
 * {@code headers} (default none) without calling the backend.
 *
 * <p>{@code Content-Length} and {@code Transfer-Encoding} cannot be set: the proxy frames the body
 * itself, and a wrong length would break the client's connection instead of failing politely.
 */
public record ErrorResponse(int status, String body, Map<String, String> headers) implements Fault {

    /** Used when an error rule gives no {@code status}. */
    public static final int DEFAULT_STATUS = 503;

    public ErrorResponse {
        checkStatus(status);
        body = body == null ? "" : body;
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        Check.headers("headers", headers);
        for (String name : headers.keySet()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-length") || lower.equals("transfer-encoding")) {
                throw new FaultSpecException("headers." + name,
                        "headers." + name + " cannot be set; the proxy frames the body itself");
            }
        }
    }

    /** A status with an empty body and no headers. */
    public ErrorResponse(int status) {
        this(status, "", Map.of());
    }

    /** Shared with the parser so an out-of-range status is worded the same from every route. */
    static void checkStatus(long status) {
        if (status < 400 || status > 599) {
            throw new FaultSpecException("status", "status must be 400-599");
        }
    }

    @Override
    public FaultType type() {
        return FaultType.ERROR;
    }
}
