package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.dataplane.transport.ClientConnections;
import io.chaosproxy.proxy.dataplane.transport.TargetFormConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;

/**
 * Requests the proxy answers itself before any fault or backend: it is a reverse proxy for its
 * configured backends only, never an open proxy, it honours {@code Max-Forwards}, and it answers
 * {@code OPTIONS *} (about the server as a whole) itself.
 *
 * <p>HTTP/2 has no absolute-form: its {@code :authority} is what {@code Host} is on HTTP/1.1, and
 * is treated the same way (reported in {@code X-Forwarded-Host}, never used to pick where the
 * request goes). Every request goes to a configured backend whatever host it names.
 */
final class RequestGuard {

    /** What OPTIONS * answers when Max-Forwards reaches 0 at the proxy. */
    private static final String ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE";
    /** Credentials never echo back in a TRACE answer (RFC 9110 section 9.3.8). */
    private static final Set<String> NOT_TRACED = Set.of("authorization", "proxy-authorization", "cookie");

    private RequestGuard() {}

    /** True when the exchange may go on; false when an answer has already been sent. */
    static boolean admit(Exchange exchange) {
        Request request = exchange.clientRequest;
        if (!isToken(exchange.method)) {
            // HTTP/1.1's parser refuses these; HTTP/2's :method is taken as sent, and a space in it
            // would rewrite the request line the backend reads
            ClientResponses.proxyError(exchange, 400, "the method is not a valid token (RFC 9110 section 5.6.2)", Map.of());
            return false;
        }
        if (request.getMethod().equals("CONNECT")) {
            ClientResponses.proxyError(exchange, 400, "CONNECT is refused: this is a reverse proxy, not a tunnel", Map.of());
            return false;
        }
        HttpURI uri = request.getHttpURI();
        if (isAbsoluteForm(request) && !namesThisProxy(request, uri)) {
            ClientResponses.proxyError(exchange, 400,
                    "absolute-form request target for another host (" + uri.getAuthority() + ") is refused: not an open proxy",
                    Map.of());
            return false;
        }
        if (exchange.path.equals("*")) {
            // asterisk-form asks about the server as a whole, and no backend URL can carry it
            if (exchange.method.equals("OPTIONS")) {
                answerAsFinalRecipient(exchange);
            } else {
                ClientResponses.proxyError(exchange, 400, "the request target * is only for OPTIONS", Map.of());
            }
            return false;
        }
        if (exchange.method.equals("OPTIONS") || exchange.method.equals("TRACE")) {
            String maxForwards = request.getHeaders().get("Max-Forwards");
            if (maxForwards != null && maxForwards.trim().equals("0")) {
                answerAsFinalRecipient(exchange);
                return false;
            }
        }
        for (String coding : request.getHeaders().getCSV(HttpHeader.TRANSFER_ENCODING, false)) {
            if (!coding.equalsIgnoreCase("chunked")) {
                // RFC 9112 section 6.1: a transfer coding the server does not understand is a 501;
                // taking "gzip, chunked" as plain chunked would hand the backend compressed bytes as the body
                ClientResponses.proxyError(exchange, 501, "transfer coding '" + coding + "' is not implemented: only chunked",
                        Map.of("Connection", "close"));
                return false;
            }
        }
        if ((exchange.method.equals("GET") || exchange.method.equals("HEAD")) && hasBody(request)) {
            ClientResponses.proxyError(exchange, 400,
                    exchange.method + " with a request body cannot be forwarded", Map.of());
            return false;
        }
        return true;
    }

    /** tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
    private static boolean isToken(String method) {
        if (method.isEmpty()) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            boolean alphaNumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alphaNumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    static boolean hasBody(Request request) {
        long length = request.getLength();
        if (length >= 0) {
            return length > 0;
        }
        return request.getHeaders().contains("Transfer-Encoding")
                || (ClientConnections.isMultiplexed(request) && ClientConnections.http2BodyFollows(request));
    }

    private static boolean isAbsoluteForm(Request request) {
        return TargetFormConnectionFactory.isAbsoluteForm(request.getConnectionMetaData().getConnection());
    }

    private static boolean namesThisProxy(Request request, HttpURI uri) {
        int port = uri.getPort() > 0 ? uri.getPort() : ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
        if (port != Request.getLocalPort(request)) {
            return false;
        }
        String host = uri.getHost();
        if (host == null) {
            return false;
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.equalsIgnoreCase("localhost") || host.equals(Request.getLocalAddr(request));
    }

    private static void answerAsFinalRecipient(Exchange exchange) {
        var headers = exchange.proxyToClientResponse.getHeaders();
        if (exchange.method.equals("OPTIONS")) {
            headers.put("Allow", ALLOW);
            ClientResponses.send(exchange, 200, new byte[0], null);
            return;
        }
        StringBuilder echo = new StringBuilder();
        echo.append("TRACE ").append(exchange.clientRequest.getHttpURI().getPathQuery()).append(" HTTP/1.1\r\n");
        for (HttpField field : exchange.clientRequest.getHeaders()) {
            if (!NOT_TRACED.contains(field.getLowerCaseName())) {
                echo.append(field.getName()).append(": ").append(field.getValue()).append("\r\n");
            }
        }
        echo.append("\r\n");
        headers.put("Content-Type", "message/http");
        ClientResponses.send(exchange, 200, echo.toString().getBytes(StandardCharsets.ISO_8859_1), null);
    }
}
