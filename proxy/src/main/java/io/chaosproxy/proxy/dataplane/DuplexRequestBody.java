package io.chaosproxy.proxy.dataplane;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
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
    /** How long a failed call waits for a write to the backend under way to end. */
    private static final Duration WRITE_END_WAIT = Duration.ofSeconds(1);

    private final ClientRequestBody body;
    private final Executor pumps;
    private final Call call;
    private final Object writes = new Object();
    private boolean writing; // guarded by writes
    private IOException backendWriteFailure; // guarded by writes

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
            // A write to the backend that failed (stream reset, connection gone, write timeout) ended
            // the stream already: the response read fails with it, or still gets an answer the backend
            // sent before it stopped reading. Anything else (the client's body broke off, say) cancels
            // the call, so that the backend gets RST_STREAM.
            if (!isBackendWriteFailure(e)) {
                call.cancel();
            }
        }
    }

    private boolean isBackendWriteFailure(IOException e) {
        synchronized (writes) {
            return e == backendWriteFailure;
        }
    }

    /**
     * What ended the call, given what its response read threw ({@code seen}). When OkHttp's write
     * timeout ends a write that waits for flow-control window, it resets the stream (CANCEL): the
     * thread reading the response sees only that reset, while this body's write saw the timeout.
     * So a write under way is awaited (the reset ends a window wait at once), and its failure, if
     * any, is the call's. A write that does not end meanwhile is stuck on the socket itself: that
     * too is a timeout.
     */
    IOException failureBehind(IOException seen) {
        synchronized (writes) {
            long deadline = System.nanoTime() + WRITE_END_WAIT.toNanos();
            for (long left = WRITE_END_WAIT.toNanos(); writing && left > 0; left = deadline - System.nanoTime()) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(writes, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return seen;
                }
            }
            if (writing) {
                return new SocketTimeoutException("the request body's write to the backend did not end");
            }
            return backendWriteFailure != null ? backendWriteFailure : seen;
        }
    }

    /**
     * The sink as the pump uses it: it tells {@link #failureBehind} when a write to the backend is
     * under way, and records how one failed before it says the write is over.
     */
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
            synchronized (writes) {
                writing = true;
            }
            IOException failure = null;
            try {
                write.run();
            } catch (IOException e) {
                failure = e;
                throw e;
            } finally {
                synchronized (writes) {
                    if (failure != null) {
                        backendWriteFailure = failure;
                    }
                    writing = false;
                    writes.notifyAll();
                }
            }
        }
    }

    private interface BackendWrite {
        void run() throws IOException;
    }
}
