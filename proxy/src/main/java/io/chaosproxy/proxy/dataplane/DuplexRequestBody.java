package io.chaosproxy.proxy.dataplane;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.Buffer;
import okio.BufferedSink;
import okio.ForwardingSink;
import okio.Okio;
import okio.Sink;

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
    /** A write that the stream's reset ends at once; this only bounds a wait that should never be long. */
    private static final Duration PUMP_END_WAIT = Duration.ofSeconds(5);

    private final ClientRequestBody body;
    private final Executor pumps;
    private final Call call;
    private final CountDownLatch pumped = new CountDownLatch(1);
    private volatile boolean writing;
    private volatile IOException backendWriteFailure;

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
            BufferedSink backend = Okio.buffer(new BackendWrites(sink));
            body.writeTo(backend);
            backend.flush();
            Headers trailers = TrailerFields.toBackend(body.trailers());
            if (trailers != null) {
                Http2RequestTrailers.enqueue(sink, trailers);
            }
            sink.close();
        } catch (IOException e) {
            // the client's body broke off (a ClientBodyException), or the backend's side did (stream
            // reset, connection gone, write timeout): either way this call is over, and the response
            // read fails with it
            call.cancel();
        } finally {
            pumped.countDown();
        }
    }

    /**
     * What ended the call, given what its response read threw ({@code seen}). When OkHttp's write
     * timeout ends a write that waits for flow-control window, it resets the stream (CANCEL): the
     * thread reading the response sees only that reset, while this body's pump saw the timeout.
     * So if the pump is in a write to the backend, its outcome is awaited (the reset ends that write
     * at once) and its failure, if any, is the call's.
     */
    IOException failureBehind(IOException seen) throws InterruptedIOException {
        // writing is read before the failure: a failing write records its failure before it stops writing
        if (writing) {
            try {
                if (!pumped.await(PUMP_END_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    return seen;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the request body's pump ended");
            }
        }
        IOException backend = backendWriteFailure;
        if (backend == null || backend == seen) {
            return seen;
        }
        backend.addSuppressed(seen);
        return backend;
    }

    /** The sink as the pump uses it: it knows when a write to the backend is under way, and how one failed. */
    private final class BackendWrites extends ForwardingSink {
        BackendWrites(Sink backend) {
            super(backend);
        }

        @Override
        public void write(Buffer source, long byteCount) throws IOException {
            toBackend(() -> super.write(source, byteCount));
        }

        @Override
        public void flush() throws IOException {
            toBackend(super::flush);
        }

        private void toBackend(BackendWrite write) throws IOException {
            writing = true;
            try {
                write.run();
            } catch (IOException e) {
                backendWriteFailure = e;
                throw e;
            } finally {
                writing = false;
            }
        }
    }

    private interface BackendWrite {
        void run() throws IOException;
    }
}
