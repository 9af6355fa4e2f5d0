package io.chaosproxy.proxy.dataplane;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
     * duplex; not Jetty's pool, whose threads may be waiting for these very answers. Daemon
     * threads that end after a minute idle, so nothing needs stopping.
     */
    private final Executor pumps = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), new PumpThreads());

    private DuplexBodyInterceptor() {}

    @Override
    public Response intercept(Chain chain) throws IOException {
        okhttp3.Request request = chain.request();
        Connection connection = chain.connection();
        if (request.body() instanceof ClientRequestBody body && connection != null && isHttp2(connection.protocol())) {
            request = request.newBuilder().method(request.method(), new DuplexRequestBody(body, pumps, chain.call())).build();
        }
        return chain.proceed(request);
    }

    private static boolean isHttp2(Protocol protocol) {
        return protocol == Protocol.HTTP_2 || protocol == Protocol.H2_PRIOR_KNOWLEDGE;
    }

    private static final class PumpThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable runnable) {
            Thread thread = new Thread(runnable, "chaos-proxy-body-pump-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
