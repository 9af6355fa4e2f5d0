import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
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
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The stack's floor: the least reverse proxy that can be built on chaos-proxy's stack, for the
 * benchmark to measure beside nginx and chaos-proxy. No faults, no journal, no access log, no
 * retries: what is left is the cost of Jetty's server and of the upstream client.
 *
 * <pre>
 *   java -cp chaos-proxy.jar[:jetty-proxy and its jars] src/bench/StackFloor.java okhttp|jetty UPSTREAM PORT_FILE
 * </pre>
 *
 * <ul>
 *   <li>{@code okhttp}: a Jetty handler that blocks in OkHttp and streams the answer back, with
 *       chaos-proxy's own client settings and threads (virtual threads on Java 21+);</li>
 *   <li>{@code jetty}: Jetty's own asynchronous reverse proxy ({@code ProxyHandler.Reverse} from
 *       jetty-proxy, on Jetty's HttpClient): what the server side reaches without OkHttp.</li>
 * </ul>
 * It listens on a free port of 127.0.0.1 and writes that port to PORT_FILE once it serves.
 */
public class StackFloor {
    /** Not forwarded in either direction (RFC 9110 section 7.6.1), plus the framing Jetty redoes. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade", "content-length");

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !Set.of("okhttp", "jetty").contains(args[0])) {
            System.err.println("usage: StackFloor okhttp|jetty UPSTREAM PORT_FILE");
            System.exit(2);
        }
        String upstream = args[1].replaceAll("/+$", "");
        // as chaos-proxy's data plane: platform threads for Jetty, blocking handlers on virtual threads on 21+
        QueuedThreadPool threads = new QueuedThreadPool(400, 8);
        threads.setDaemon(true);
        if (VirtualThreads.areSupported()) {
            threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("floor-exchange"));
        }
        Server server = new Server(threads);
        // the backend's Server and Date headers go through: Jetty adds none of its own
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(args[0].equals("okhttp")
                ? new OkHttpForwarder(upstream)
                : new ProxyHandler.Reverse(request -> HttpURI.build(upstream + request.getHttpURI().getPathQuery())));
        server.start();
        Path portFile = Path.of(args[2]);
        Path partial = Files.createTempFile(portFile.toAbsolutePath().getParent(), "floor", ".port");
        Files.writeString(partial, Integer.toString(connector.getLocalPort()));
        Files.move(partial, portFile); // whole or absent: the script polls for it
        server.join();
    }

    /** One blocking OkHttp call per exchange, its body streamed back as it comes. */
    private static final class OkHttpForwarder extends Handler.Abstract {
        private final String upstream;
        private final OkHttpClient client;

        OkHttpForwarder(String upstream) {
            this.upstream = upstream;
            Dispatcher dispatcher = new Dispatcher();
            dispatcher.setMaxRequests(4096);
            dispatcher.setMaxRequestsPerHost(4096);
            // chaos-proxy's settings (UpstreamClients): a large idle pool, no silent replays, no
            // racing connects on OkHttp's threads, and no read or write timeouts, whose okio
            // bookkeeping takes a global lock per socket operation
            this.client = new OkHttpClient.Builder()
                    .dispatcher(dispatcher)
                    .connectionPool(new ConnectionPool(512, 5, TimeUnit.MINUTES))
                    .retryOnConnectionFailure(false)
                    .fastFallback(false)
                    .followRedirects(false)
                    .readTimeout(Duration.ZERO)
                    .writeTimeout(Duration.ZERO)
                    .build();
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            okhttp3.Request.Builder forward = new okhttp3.Request.Builder()
                    .url(upstream + request.getHttpURI().getPathQuery());
            request.getHeaders().forEach(field -> {
                if (!HOP_BY_HOP.contains(field.getLowerCaseName()) && !field.getLowerCaseName().equals("host")) {
                    forward.addHeader(field.getName(), field.getValue());
                }
            });
            // the benchmark sends GETs only: no request body to stream
            try (okhttp3.Response answer = client.newCall(forward.build()).execute()) {
                response.setStatus(answer.code());
                answer.headers().forEach(header -> {
                    if (!HOP_BY_HOP.contains(header.getFirst().toLowerCase(java.util.Locale.ROOT))) {
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
