package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.dataplane.transport.ExchangeThreads;
import io.chaosproxy.proxy.dataplane.transport.Lazy;
import java.io.IOException;
import java.util.concurrent.Executor;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Response;

/**
 * A network interceptor that sends the client's body as a {@link DuplexRequestBody} once the
 * connection is known to be HTTP/2 (h2c, or h2 chosen by ALPN): only there can OkHttp read the
 * answer while the body still flows. HTTP/1.1 backends keep the plain body.
 */
final class DuplexBodyInterceptor implements Interceptor {
    static final DuplexBodyInterceptor INSTANCE = new DuplexBodyInterceptor();

    /**
     * One thread per body in flight, as the body would take of the calling thread if it were not
     * duplex (a virtual one on Java 21+); not Jetty's pool, whose threads may be waiting for these
     * very answers. Its platform threads are daemons that end after a minute idle.
     */
    private final Lazy<Executor> pumps = new Lazy<>(ExchangeThreads::newUpstreamExecutor); // made with the first duplex body

    private DuplexBodyInterceptor() {}

    @Override
    public Response intercept(Chain chain) throws IOException {
        okhttp3.Request request = chain.request();
        Connection connection = chain.connection();
        if (request.body() instanceof ClientRequestBody body && connection != null && isHttp2(connection.protocol())) {
            DuplexRequestBody duplex = new DuplexRequestBody(body, pumps.get(), chain.call());
            try {
                return chain.proceed(request.newBuilder().method(request.method(), duplex).build());
            } catch (IOException e) {
                throw duplex.failureBehind(e);
            }
        }
        return chain.proceed(request);
    }

    private static boolean isHttp2(Protocol protocol) {
        return protocol == Protocol.HTTP_2 || protocol == Protocol.H2_PRIOR_KNOWLEDGE;
    }
}
