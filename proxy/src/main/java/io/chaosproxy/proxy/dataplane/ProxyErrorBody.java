package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.tracing.JsonText;
import java.nio.charset.StandardCharsets;

/** The body of every error the proxy makes itself, whether an exchange or Jetty answers: {@code {"error", "requestId"}}. */
final class ProxyErrorBody {
    static final String CONTENT_TYPE = "application/json";

    private ProxyErrorBody() {}

    static byte[] json(String message, String requestId) {
        return ("{\"error\":" + JsonText.quote(message) + ",\"requestId\":" + JsonText.quote(requestId) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
