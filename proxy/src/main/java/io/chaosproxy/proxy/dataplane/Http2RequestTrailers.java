package io.chaosproxy.proxy.dataplane;

import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Headers;
import okhttp3.internal.http2.Http2Stream;
import okio.BufferedSink;
import okio.ForwardingSink;
import okio.RealBufferedSink;
import okio.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request trailers on an HTTP/2 call, the one place that reaches below OkHttp's public API.
 *
 * <p>OkHttp 5.5.1 can receive trailers but offers no way to send a request's (square/okhttp issue
 * 7498). Its HTTP/2 stream can send them all the same: the sink a request body is written to ends
 * in the stream's framing sink, which, when closed with trailers set, writes its remaining DATA
 * without END_STREAM and then the trailers as a HEADERS frame with END_STREAM (what OkHttp's own
 * MockWebServer uses for response trailers). This class finds that sink under the buffer and the
 * byte counter OkHttp wraps it in, and sets the trailers there, just before the body's sink closes.
 *
 * <p>Should an OkHttp upgrade change that structure, the trailers are dropped as they were before,
 * with one warning, and {@code RequestTrailersTest} fails: nothing else breaks.
 */
final class Http2RequestTrailers {
    private static final Logger LOG = LoggerFactory.getLogger(Http2RequestTrailers.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private Http2RequestTrailers() {}

    /**
     * Sets {@code trailers} to follow the body written to {@code sink}, a duplex body's sink on an
     * HTTP/2 connection, once it is closed. False, with one warning per JVM, when the sink is not
     * the one this class knows.
     */
    static boolean enqueue(BufferedSink sink, Headers trailers) {
        Sink below = sink instanceof RealBufferedSink buffered ? buffered.sink : sink;
        while (below instanceof ForwardingSink forwarding) {
            below = forwarding.delegate(); // OkHttp's Exchange counts the body's bytes in one of these
        }
        if (below instanceof Http2Stream.FramingSink stream) {
            stream.setTrailers(trailers); // read by close(), on this same thread
            return true;
        }
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("request trailers cannot be sent to HTTP/2 backends with this OkHttp (its request body sink is a {}): they are dropped",
                    below.getClass().getName());
        }
        return false;
    }
}
