package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.tracing.JsonText;
import io.chaosproxy.proxy.tracing.RequestIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before a request reaches a proxy (a malformed request, headers too
 * large, an invalid upgrade): the same JSON shape and request id as the proxy's own errors.
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
        String requestId = RequestIds.generate();
        byte[] body = ("{\"error\":" + JsonText.quote(message) + ",\"requestId\":" + JsonText.quote(requestId) + "}")
                .getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put("Content-Type", "application/json");
        response.getHeaders().put(RequestIds.HEADER, requestId);
        response.getHeaders().put("Content-Length", Integer.toString(body.length));
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
