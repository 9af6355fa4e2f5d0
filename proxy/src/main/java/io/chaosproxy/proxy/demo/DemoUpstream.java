package io.chaosproxy.proxy.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The built-in backend that starts when no {@code --upstream} is given, so the tool works out of
 * the box. It answers every request with a JSON echo of what it received (method, path, query,
 * headers, body size), plus {@code /status/{code}} and {@code /bytes/{n}} for trying faults.
 */
public final class DemoUpstream implements AutoCloseable {
    /** Caps {@code /bytes/{n}} so a typo cannot stream forever. */
    private static final long MAX_BYTES = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Server server;
    private final ServerConnector connector;

    public DemoUpstream() {
        QueuedThreadPool threads = new QueuedThreadPool(32, 2);
        threads.setName("chaos-proxy-demo-upstream");
        threads.setDaemon(true);
        server = new Server(threads);
        org.eclipse.jetty.server.HttpConfiguration http = new org.eclipse.jetty.server.HttpConfiguration();
        http.setSendServerVersion(false);
        connector = new ServerConnector(server, new org.eclipse.jetty.server.HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Echo());
    }

    public DemoUpstream start() throws Exception {
        server.start();
        return this;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping twice is harmless
        }
    }

    private static final class Echo extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = request.getHttpURI().getPath();
            if (path.startsWith("/status/")) {
                int status = parse(path.substring("/status/".length()), 200);
                status = status < 200 || status > 599 ? 400 : status;
                respond(response, callback, status, echo(request, drain(request)));
            } else if (path.startsWith("/bytes/")) {
                long count = Math.min(MAX_BYTES, Math.max(0, parse(path.substring("/bytes/".length()), 0)));
                drain(request);
                streamBytes(response, callback, count);
            } else {
                respond(response, callback, 200, echo(request, drain(request)));
            }
            return true;
        }

        private static long drain(Request request) throws Exception {
            long total = 0;
            try (InputStream in = Content.Source.asInputStream(request)) {
                byte[] buffer = new byte[16 * 1024];
                int n;
                while ((n = in.read(buffer)) != -1) {
                    total += n;
                }
            }
            return total;
        }

        private static ObjectNode echo(Request request, long bodyBytes) {
            ObjectNode echo = JSON.createObjectNode();
            echo.put("service", "chaos-proxy demo upstream");
            echo.put("method", request.getMethod());
            echo.put("path", request.getHttpURI().getPath());
            echo.put("query", request.getHttpURI().getQuery());
            ObjectNode headers = echo.putObject("headers");
            for (HttpField field : request.getHeaders()) {
                headers.put(field.getName(), field.getValue());
            }
            echo.put("bodyBytes", bodyBytes);
            return echo;
        }

        private static void respond(Response response, Callback callback, int status, ObjectNode body) throws Exception {
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body).concat("\n").getBytes(StandardCharsets.UTF_8);
            response.setStatus(status);
            response.getHeaders().put("Content-Type", "application/json");
            response.getHeaders().put("Content-Length", Integer.toString(bytes.length));
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }

        private static void streamBytes(Response response, Callback callback, long count) {
            response.setStatus(200);
            response.getHeaders().put("Content-Type", "application/octet-stream");
            response.getHeaders().put("Content-Length", Long.toString(count));
            byte[] block = new byte[16 * 1024];
            for (int i = 0; i < block.length; i++) {
                block[i] = (byte) ('a' + i % 26);
            }
            new org.eclipse.jetty.util.IteratingCallback() {
                long left = count;

                @Override
                protected Action process() {
                    if (left == 0) {
                        return Action.SUCCEEDED;
                    }
                    int n = (int) Math.min(block.length, left);
                    left -= n;
                    response.write(left == 0, ByteBuffer.wrap(block, 0, n), this);
                    return Action.SCHEDULED;
                }

                @Override
                protected void onCompleteSuccess() {
                    callback.succeeded();
                }

                @Override
                protected void onCompleteFailure(Throwable cause) {
                    callback.failed(cause);
                }
            }.iterate();
        }

        private static int parse(String text, int fallback) {
            try {
                return (int) Math.min(Integer.MAX_VALUE, Long.parseLong(text));
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
    }
}
