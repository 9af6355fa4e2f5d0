package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.resilience.Backend;
import io.chaosproxy.proxy.tracing.RequestIds;
import io.chaosproxy.proxy.tracing.TraceParent;
import java.util.Set;
import okhttp3.Headers;
import okhttp3.RequestBody;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/** Builds the proxy-to-server request from the client's: same method, path, query, headers and body. */
final class UpstreamRequests {

    /** Headers the proxy sets itself, or that OkHttp derives from the body and URL. */
    private static final Set<String> REPLACED = Set.of(
            "host", "content-length", "expect", "x-request-id", "traceparent",
            "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "via", "max-forwards");

    private UpstreamRequests() {}

    static okhttp3.Request build(Exchange exchange, Backend backend, RequestBody body, AttemptTag tag) {
        Request clientRequest = exchange.clientRequest;
        HttpFields clientHeaders = clientRequest.getHeaders();
        Set<String> connectionNamed = clientHeaders.contains(HttpHeader.CONNECTION)
                ? HopByHopHeaders.namedIn(clientHeaders.getValuesList(HttpHeader.CONNECTION))
                : Set.of(); // most requests have none: no list, no set

        Headers.Builder headers = new Headers.Builder();
        String forwardedFor = null;
        String via = null;
        String cookie = null;
        boolean teTrailers = false;
        for (HttpField field : clientHeaders) {
            String lower = field.getLowerCaseName();
            if (lower.equals("te")) {
                teTrailers |= TrailerFields.asksForTrailers(field.getValue()); // the rest of TE is hop-by-hop
                continue;
            }
            if (HopByHopHeaders.isHopByHop(lower, connectionNamed)) {
                continue;
            }
            if (lower.equals("cookie")) {
                // HTTP/2 clients may split cookies over several fields; an HTTP/1.1 backend expects
                // one header, joined with "; " (RFC 9113 section 8.2.3)
                cookie = cookie == null ? field.getValue() : cookie + "; " + field.getValue();
                continue;
            }
            if (REPLACED.contains(lower)) {
                if (lower.equals("x-forwarded-for")) {
                    forwardedFor = forwardedFor == null ? field.getValue() : forwardedFor + ", " + field.getValue();
                } else if (lower.equals("via")) {
                    via = via == null ? field.getValue() : via + ", " + field.getValue();
                }
                continue;
            }
            headers.addUnsafeNonAscii(field.getName(), field.getValue());
        }

        if (cookie != null) {
            headers.addUnsafeNonAscii("Cookie", cookie);
        }
        if (teTrailers) {
            // gRPC servers refuse a call without it; on HTTP/1.1 a TE sender also names it in
            // Connection (RFC 9110 section 10.1.4), which OkHttp's HTTP/2 codec leaves out
            headers.add("TE", TrailerFields.TE_TRAILERS);
            headers.add("Connection", "TE");
        }
        String clientAddress = Request.getRemoteAddr(clientRequest);
        headers.add("X-Forwarded-For", forwardedFor == null ? clientAddress : forwardedFor + ", " + clientAddress);
        String host = clientHeaders.get("Host");
        if (host == null) {
            host = clientRequest.getHttpURI().getAuthority();
        }
        if (host != null) {
            headers.addUnsafeNonAscii("X-Forwarded-Host", host);
        }
        headers.add("X-Forwarded-Proto", clientRequest.isSecure() ? "https" : "http");
        headers.add("Via", via == null ? ProxyIdentity.VIA : via + ", " + ProxyIdentity.VIA);
        headers.add(RequestIds.HEADER, exchange.requestId);
        headers.add(TraceParent.HEADER, exchange.upstreamTrace.headerValue());
        String maxForwards = maxForwardsToSend(exchange.method, clientHeaders.get("Max-Forwards"));
        if (maxForwards != null) {
            headers.add("Max-Forwards", maxForwards);
        }

        return new okhttp3.Request.Builder()
                .url(backend.resolve(exchange.path, exchange.query))
                .headers(headers.build())
                .method(exchange.method, body)
                .tag(AttemptTag.class, tag)
                .build();
    }

    /** OPTIONS and TRACE count Max-Forwards down by one per hop (RFC 9110 section 7.6.2); others pass it on. */
    private static String maxForwardsToSend(String method, String value) {
        if (value == null) {
            return null;
        }
        if (!method.equals("OPTIONS") && !method.equals("TRACE")) {
            return value;
        }
        try {
            long remaining = Long.parseLong(value.trim());
            return remaining > 0 ? Long.toString(remaining - 1) : value;
        } catch (NumberFormatException e) {
            return value;
        }
    }
}
