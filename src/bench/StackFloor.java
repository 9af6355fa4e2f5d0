import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.config.UpstreamTls;
import io.chaosproxy.proxy.dataplane.transport.ExchangeThreads;
import io.chaosproxy.proxy.dataplane.transport.UpstreamClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The stack's floor: the least reverse proxy that can be built on chaos-proxy's stack, for the
 * benchmark to measure beside nginx and chaos-proxy. No faults, no journal, no access log, no
 * retries: what is left is the cost of Jetty's server and of the upstream client.
 *
 * <pre>
 *   java -cp chaos-proxy.jar[:jetty-proxy and its jars] src/bench/StackFloor.java okhttp|jetty|jetty-direct|server UPSTREAM PORT_FILE
 * </pre>
 *
 * <ul>
 *   <li>{@code okhttp}: a Jetty handler that blocks in OkHttp and streams the answer back, with
 *       chaos-proxy's own client settings and threads (virtual threads on Java 21+);</li>
 *   <li>{@code jetty}: Jetty's own asynchronous reverse proxy ({@code ProxyHandler.Reverse} from
 *       jetty-proxy, on Jetty's HttpClient): what the server side reaches without OkHttp;</li>
 *   <li>{@code jetty-direct}: the smallest asynchronous proxy on Jetty's HttpClient, without
 *       ProxyHandler's header rewriting and streaming: a non-blocking handler, run on Jetty's
 *       selector thread with no hand-off to a handler thread, sends the request with the client,
 *       and the answer is written back once it has all come (at most 1 MiB: the benchmark's
 *       bodies);</li>
 *   <li>{@code server}: no upstream leg at all, Jetty's server side as chaos-proxy uses it (a
 *       blocking handler on chaos-proxy's threads) replaying from memory the upstream's answer
 *       for each path, fetched once: the ceiling of any proxy on this server.</li>
 * </ul>
 * It listens on a free port of 127.0.0.1 and writes that port to PORT_FILE once it serves.
 */
public class StackFloor {
    /** Not forwarded in either direction (RFC 9110 section 7.6.1), plus the framing Jetty redoes. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade", "content-length");

    /** Whether a header of the backend's answer goes on to the client. */
    private static boolean forwarded(String name) {
        return !HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT));
    }

    /** Whether a header of the client's request goes on to the backend: the client sets Host itself. */
    private static boolean sentUpstream(String lowerCaseName) {
        return !HOP_BY_HOP.contains(lowerCaseName) && !lowerCaseName.equals("host");
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !Set.of("okhttp", "jetty", "jetty-direct", "server").contains(args[0])) {
            System.err.println("usage: StackFloor okhttp|jetty|jetty-direct|server UPSTREAM PORT_FILE");
            System.exit(2);
        }
        String upstream = args[1].replaceAll("/+$", "");
        // chaos-proxy's own thread pool: platform threads for Jetty, blocking handlers on virtual threads on 21+
        Server server = new Server(ExchangeThreads.newServerPool());
        // the backend's Server and Date headers go through: Jetty adds none of its own
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(switch (args[0]) {
            case "okhttp" -> new OkHttpForwarder(upstream);
            case "jetty" -> new ProxyHandler.Reverse(request -> HttpURI.build(upstream + request.getHttpURI().getPathQuery()));
            case "jetty-direct" -> new JettyClientForwarder(upstream);
            default -> new FromMemory(upstream);
        });
        server.start();
        Path portFile = Path.of(args[2]);
        Path partial = Files.createTempFile(portFile.toAbsolutePath().getParent(), "floor", ".port");
        Files.writeString(partial, Integer.toString(connector.getLocalPort()));
        Files.move(partial, portFile); // whole or absent: the script polls for it
        server.join();
    }

    /**
     * The upstream's answer for each path, fetched on its first request and then replayed from
     * memory: its status, its headers (but the hop-by-hop ones) and its body, so that the bytes on
     * the wire are the same as through a proxy.
     */
    private static final class FromMemory extends Handler.Abstract {
        /** A 200's headers and body. */
        private record Answer(List<Map.Entry<String, String>> headers, byte[] body) {}

        private final String upstream;
        private final HttpClient fetcher = HttpClient.newHttpClient();
        private final Map<String, Answer> answers = new ConcurrentHashMap<>();

        FromMemory(String upstream) {
            this.upstream = upstream;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Answer answer = answers.computeIfAbsent(request.getHttpURI().getPathQuery(), this::fetch);
            answer.headers().forEach(header -> response.getHeaders().add(header.getKey(), header.getValue()));
            response.getHeaders().put("Content-Length", answer.body().length);
            response.write(true, ByteBuffer.wrap(answer.body()), callback);
            return true;
        }

        /** Only a 200 is kept: anything else would be replayed as if the backend still said it. */
        private Answer fetch(String pathQuery) {
            try {
                HttpResponse<byte[]> fetched = fetcher.send(HttpRequest.newBuilder(URI.create(upstream + pathQuery)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (fetched.statusCode() != 200) {
                    throw new IllegalStateException("the upstream answered " + fetched.statusCode() + " for " + pathQuery);
                }
                List<Map.Entry<String, String>> headers = new ArrayList<>();
                fetched.headers().map().forEach((name, values) -> {
                    if (forwarded(name)) {
                        values.forEach(value -> headers.add(Map.entry(name, value)));
                    }
                });
                return new Answer(List.copyOf(headers), fetched.body());
            } catch (IOException e) {
                throw new UncheckedIOException("fetching " + pathQuery + " from the upstream", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while fetching " + pathQuery, e);
            }
        }
    }

    /**
     * One asynchronous Jetty HttpClient call per exchange, sent from Jetty's selector thread; its
     * answer, buffered, is written back from the client's threads.
     */
    private static final class JettyClientForwarder extends Handler.Abstract {
        private final String upstream;
        private final org.eclipse.jetty.client.HttpClient client = new org.eclipse.jetty.client.HttpClient();

        JettyClientForwarder(String upstream) {
            super(InvocationType.NON_BLOCKING); // nothing here blocks: Jetty need not hand it to a thread
            this.upstream = upstream;
            client.setMaxConnectionsPerDestination(256);
            // a proxy's client, as ProxyHandler sets it up: the backend's redirects, cookies,
            // encodings and authentication challenges go back to the client as they are; no User-Agent added
            client.setFollowRedirects(false);
            client.setHttpCookieStore(new HttpCookieStore.Empty());
            client.getContentDecoderFactories().clear();
            client.getProtocolHandlers().clear();
            client.setUserAgentField(null);
            addBean(client); // started and stopped with the server
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            org.eclipse.jetty.client.Request forward = client.newRequest(upstream + request.getHttpURI().getPathQuery())
                    .method(request.getMethod());
            forward.headers(headers -> request.getHeaders().forEach(field -> {
                if (sentUpstream(field.getLowerCaseName())) {
                    headers.add(field);
                }
            }));
            // the benchmark sends GETs only: no request body to send
            forward.send(new BufferingResponseListener(1 << 20) {
                @Override
                public void onComplete(Result result) {
                    if (result.isFailed()) {
                        Response.writeError(request, response, callback, 502, "the upstream failed", result.getFailure());
                        return;
                    }
                    response.setStatus(result.getResponse().getStatus());
                    result.getResponse().getHeaders().forEach(field -> {
                        if (forwarded(field.getName())) {
                            response.getHeaders().add(field);
                        }
                    });
                    byte[] body = getContent();
                    response.getHeaders().put("Content-Length", body.length);
                    response.write(true, ByteBuffer.wrap(body), callback);
                }
            });
            return true;
        }
    }

    /** One blocking OkHttp call per exchange, its body streamed back as it comes. */
    private static final class OkHttpForwarder extends Handler.Abstract {
        private final String upstream;
        private final OkHttpClient client;

        OkHttpForwarder(String upstream) {
            this.upstream = upstream;
            // chaos-proxy's own client and its settings (UpstreamClients), without its interceptors
            this.client = new UpstreamClients(UpstreamTls.DEFAULT, chain -> chain.proceed(chain.request()), List.of())
                    .forProxy(ResilienceSettings.defaults())
                    .forUrl(HttpUrl.get(upstream));
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            okhttp3.Request.Builder forward = new okhttp3.Request.Builder()
                    .url(upstream + request.getHttpURI().getPathQuery());
            request.getHeaders().forEach(field -> {
                if (sentUpstream(field.getLowerCaseName())) {
                    forward.addHeader(field.getName(), field.getValue());
                }
            });
            // the benchmark sends GETs only: no request body to stream
            try (okhttp3.Response answer = client.newCall(forward.build()).execute()) {
                response.setStatus(answer.code());
                answer.headers().forEach(header -> {
                    if (forwarded(header.getFirst())) {
                        response.getHeaders().add(header.getFirst(), header.getSecond());
                    }
                });
                long length = answer.body().contentLength();
                if (length >= 0) {
                    response.getHeaders().put("Content-Length", length);
                }
                try (InputStream body = answer.body().byteStream(); OutputStream out = Content.Sink.asOutputStream(response)) {
                    body.transferTo(out);
                }
            }
            callback.succeeded();
            return true;
        }
    }
}
