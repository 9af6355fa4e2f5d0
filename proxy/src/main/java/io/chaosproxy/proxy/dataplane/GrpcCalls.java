package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.ErrorResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
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

    /**
     * The HTTP status that means what each gRPC status does (google.rpc.Code's own mapping), so
     * that breakers judge a gRPC failure by the same {@code breakerOnStatus} as an HTTP one.
     */
    private static final int[] HTTP_EQUIVALENT = {
        200, // 0 OK
        499, // 1 CANCELLED
        500, // 2 UNKNOWN
        400, // 3 INVALID_ARGUMENT
        504, // 4 DEADLINE_EXCEEDED
        404, // 5 NOT_FOUND
        409, // 6 ALREADY_EXISTS
        403, // 7 PERMISSION_DENIED
        429, // 8 RESOURCE_EXHAUSTED
        400, // 9 FAILED_PRECONDITION
        409, // 10 ABORTED
        400, // 11 OUT_OF_RANGE
        501, // 12 UNIMPLEMENTED
        500, // 13 INTERNAL
        503, // 14 UNAVAILABLE
        500, // 15 DATA_LOSS
        401, // 16 UNAUTHENTICATED
    };

    private GrpcCalls() {}

    /**
     * The status a breaker judges an answer by: its HTTP status, or for a trailers-only gRPC
     * answer (grpc-status already in the headers, as an injected one has) that status's HTTP
     * equivalent. A status that comes in trailers is too late for the verdict, given at the headers.
     */
    static int judgedStatus(okhttp3.Response answer) {
        Integer grpc = status(answer.headers());
        if (answer.code() != 200 || grpc == null || grpc < 0 || grpc >= HTTP_EQUIVALENT.length) {
            return answer.code();
        }
        return HTTP_EQUIVALENT[grpc];
    }

    /**
     * {@code grpc-message} as the gRPC wire format wants it: UTF-8, with every byte outside
     * printable ASCII, and the percent sign itself, percent-encoded.
     */
    static String encodeMessage(String message) {
        StringBuilder encoded = new StringBuilder(message.length());
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b <= 0x7e && b != '%') {
                encoded.append((char) b);
            } else {
                encoded.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
        }
        return encoded.toString();
    }

    /**
     * The headers of a trailers-only answer to an error fault with {@code grpcStatus}, in order,
     * the rule's own headers included: the same for the client's answer and an upstream one.
     */
    static Map<String, String> trailersOnlyHeaders(ErrorResponse error) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", CONTENT_TYPE);
        headers.put(STATUS, Integer.toString(error.grpcStatus()));
        if (error.grpcMessage() != null && !error.grpcMessage().isEmpty()) {
            headers.put(MESSAGE, encodeMessage(error.grpcMessage()));
        }
        error.headers().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        return headers;
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

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
