package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.dataplane.transport.ClientConnections;
import java.util.Set;
import okhttp3.Headers;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;

/**
 * Trailers, the fields after a body: {@code TE: trailers}, the one TE value that is end to end,
 * the backend's trailers on their way to the client, and the client's on their way to an HTTP/2
 * backend (see {@link Http2RequestTrailers} for how they get there).
 */
final class TrailerFields {
    /** The TE value that says "I take trailers" (RFC 9110 section 10.1.4). */
    static final String TE_TRAILERS = "trailers";

    private TrailerFields() {}

    /** True when a TE header value lists {@code trailers} among its comma-separated codings. */
    static boolean asksForTrailers(String teValue) {
        for (String coding : teValue.split(",")) {
            String name = coding.strip();
            int parameters = name.indexOf(';');
            if ((parameters < 0 ? name : name.substring(0, parameters).strip()).equalsIgnoreCase(TE_TRAILERS)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the client can be given trailers: always on HTTP/2, where they are a HEADERS frame;
     * on HTTP/1.1 only when it said {@code TE: trailers}, since chunked trailers may otherwise be
     * dropped by the client without a word.
     */
    static boolean clientTakes(Request clientRequest) {
        if (ClientConnections.isMultiplexed(clientRequest)) {
            return true;
        }
        for (String te : clientRequest.getHeaders().getValuesList("TE")) {
            if (asksForTrailers(te)) {
                return true;
            }
        }
        return false;
    }

    /** The backend's trailers for Jetty, or null when it sent none. */
    static HttpFields toClient(Headers backendTrailers) {
        int size = backendTrailers.size();
        if (size == 0) {
            return null;
        }
        HttpFields.Mutable fields = HttpFields.build(size);
        for (int i = 0; i < size; i++) {
            fields.add(backendTrailers.name(i), backendTrailers.value(i));
        }
        return fields.asImmutable();
    }

    /**
     * The client's trailers for an HTTP/2 backend, or null when none may go (it sent none, or only
     * hop-by-hop ones). An empty trailers frame is never sent: it would carry nothing, and a server
     * that expects none may refuse it (a gRPC request ends with its last DATA frame).
     * Names go in lower case, as HTTP/2 requires of every field (RFC 9113 section 8.2.1); an HTTP/1.1
     * client's chunked trailers may come in any case.
     */
    static Headers toBackend(HttpFields clientTrailers) {
        if (clientTrailers == null || clientTrailers.size() == 0) {
            return null;
        }
        Headers.Builder fields = new Headers.Builder();
        for (HttpField field : clientTrailers) {
            String name = field.getLowerCaseName();
            if (name.startsWith(":") || HopByHopHeaders.isHopByHop(name, Set.of())) {
                continue; // pseudo-fields and connection fields would make the backend's stream malformed
            }
            fields.addUnsafeNonAscii(name, field.getValue());
        }
        Headers built = fields.build();
        return built.size() == 0 ? null : built;
    }
}
