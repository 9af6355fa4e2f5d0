package io.chaosproxy.proxy.dataplane;

import java.util.Locale;
import okhttp3.Headers;
import org.eclipse.jetty.server.Request;

/**
 * What makes an exchange a gRPC call (its {@code Content-Type}) and where its outcome is read: the
 * {@code grpc-status} of the trailers, or of the headers of a trailers-only answer.
 */
final class GrpcCalls {
    static final String CONTENT_TYPE = "application/grpc";
    static final String STATUS = "grpc-status";
    static final String MESSAGE = "grpc-message";

    private GrpcCalls() {}

    /** {@code application/grpc}, {@code application/grpc+proto} and the like (grpc-web is another protocol). */
    static boolean isCall(Request clientRequest) {
        String type = clientRequest.getHeaders().get("Content-Type");
        if (type == null || !type.regionMatches(true, 0, CONTENT_TYPE, 0, CONTENT_TYPE.length())) {
            return false;
        }
        String rest = type.substring(CONTENT_TYPE.length()).toLowerCase(Locale.ROOT);
        return rest.isEmpty() || rest.startsWith("+") || rest.startsWith(";");
    }

    /** The status in {@code fields}, or null when there is none or it is not a number. */
    static Integer status(Headers fields) {
        String value = fields == null ? null : fields.get(STATUS);
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
