package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.tracing.RequestIds;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before a request reaches a proxy (a malformed request, headers too
 * large, an invalid upgrade) or when an exchange fails before its response began: the same JSON
 * shape and request id as the proxy's own errors.
 */
final class ProxyErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() < 400 ? 500 : response.getStatus();
        String message = HttpStatus.getMessage(status);
        Object cause = request.getAttribute(ERROR_MESSAGE);
        if (cause instanceof String text && !text.isBlank()) {
            message = text;
        }
        if (status == HttpStatus.INTERNAL_SERVER_ERROR_500 && request.getAttribute(ERROR_EXCEPTION) instanceof IOException broken) {
            // an exchange that failed before its response began (its backend broke off before the
            // first body byte, say): a gateway error, as the proxy's own errors say, not a 500 with
            // the exception's class name; a bug (any other exception) stays a 500
            status = HttpStatus.BAD_GATEWAY_502;
            message = broken.getMessage() == null ? "the exchange broke off before its response began" : broken.getMessage();
            response.setStatus(status);
        }
        // the client's own id when it sent a valid one (and Jetty got as far as reading it), as for every answer
        String requestId = RequestIds.keepOrGenerate(request.getHeaders() == null ? null : request.getHeaders().get(RequestIds.HEADER));
        byte[] body = ProxyErrorBody.json(message, requestId);
        response.getHeaders().put("Content-Type", ProxyErrorBody.CONTENT_TYPE);
        response.getHeaders().put(RequestIds.HEADER, requestId);
        response.getHeaders().put("Content-Length", Integer.toString(body.length));
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
