package io.chaosproxy.proxy.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors on the control listener (a request Jetty refuses before Javalin sees it: bad
 * request line, headers too large, a target the servlet context cannot map) in the API's JSON
 * shape rather than an HTML page or an empty body.
 */
final class JsonErrorHandler extends ErrorHandler {
    /** Jetty writes error bodies only for GET and POST by default; a DELETE or PUT deserves its JSON error too. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws java.io.IOException {
        if (code == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
            // a request line that is not HTTP/1.x is bad input, and bad input never gets a 5xx here
            response.setStatus(HttpStatus.BAD_REQUEST_400);
            message = "unsupported HTTP version: the control API speaks HTTP/1.1 (" + message + ")";
        }
        ObjectNode body = Json.errorBody(code, message, null);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(body)), callback);
    }
}
