package io.chaosproxy.proxy.dataplane;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/**
 * The client's body sent as an HTTP/2 duplex body: OkHttp reads the backend's answer while the
 * body still flows, so a bidirectional gRPC stream's messages pass as they come both ways (a
 * plain body is sent whole before OkHttp looks for the answer, which deadlocks a backend that
 * replies to each message).
 *
 * <p>OkHttp calls {@link #writeTo} and then waits for the response headers, so the body is pumped
 * on a thread of its own and the sink closed at its end (END_STREAM). The client's trailers, if it
 * sent any, go just before that end, as the last HEADERS frame (see {@link Http2RequestTrailers}).
 * A client whose body breaks off cancels the call: the backend gets RST_STREAM, never a short body
 * that looks complete.
 */
final class DuplexRequestBody extends RequestBody {
    private final ClientRequestBody body;
    private final Executor pumps;
    private final Call call;

    DuplexRequestBody(ClientRequestBody body, Executor pumps, Call call) {
        this.body = body;
        this.pumps = pumps;
        this.call = call;
    }

    @Override
    public MediaType contentType() {
        return body.contentType();
    }

    @Override
    public long contentLength() {
        return body.contentLength();
    }

    @Override
    public boolean isDuplex() {
        return true;
    }

    @Override
    public boolean isOneShot() {
        return body.isOneShot();
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        try {
            pumps.execute(() -> pump(sink));
        } catch (RejectedExecutionException e) {
            throw new IOException("the proxy is stopping", e);
        }
    }

    private void pump(BufferedSink sink) {
        try {
            body.writeTo(sink);
            Headers trailers = TrailerFields.toBackend(body.trailers());
            if (trailers != null) {
                Http2RequestTrailers.enqueue(sink, trailers);
            }
            sink.close();
        } catch (IOException e) {
            // the client's body broke off (a ClientBodyException), or the backend's side did (stream
            // reset, connection gone): either way this call is over, and the response read fails with it
            call.cancel();
        }
    }
}
