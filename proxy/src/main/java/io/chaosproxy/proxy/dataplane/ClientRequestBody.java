package io.chaosproxy.proxy.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.Buffer;
import okio.BufferedSink;
import org.eclipse.jetty.http.HttpFields;

/**
 * The client's request body, streamed from Jetty into OkHttp as it arrives: nothing holds the whole
 * body. While the body is within the replay limit its bytes are also kept, so a retry can send it
 * again; once it outgrows the limit it is one-shot and a retry is off the table.
 */
final class ClientRequestBody extends RequestBody {
    private static final int CHUNK = 16 * 1024;

    private final Supplier<InputStream> clientBody;
    private final Supplier<HttpFields> clientTrailers;
    private final Upload upload;
    private final long contentLength;
    private final long replayLimit;
    private InputStream in;
    private Buffer kept;        // bytes read so far, while replayable
    private boolean exhausted;  // the client's body has been read to its end
    private volatile boolean replayable;
    private volatile boolean started; // some attempt has begun to read the client's body

    /**
     * {@code contentLength} -1 when unknown (chunked); {@code clientBody} opens the client's body (its trailers, if any, come from {@code clientTrailers} once it is read),
     * once, when the first attempt reads it. {@code replayLimit} 0 means never keep: the body of a
     * method that is never retried. {@code upload} hears when reading the client's body begins and ends.
     */
    ClientRequestBody(long contentLength, Supplier<InputStream> clientBody, Supplier<HttpFields> clientTrailers,
                      long replayLimit, Upload upload) {
        this.clientBody = clientBody;
        this.clientTrailers = clientTrailers;
        this.upload = upload;
        this.contentLength = contentLength;
        this.replayLimit = replayLimit;
        this.replayable = replayLimit > 0 && contentLength <= replayLimit;
        this.kept = replayable ? new Buffer() : null;
    }

    @Override
    public MediaType contentType() {
        return null; // the client's own Content-Type header is forwarded as it was
    }

    @Override
    public long contentLength() {
        return contentLength;
    }

    @Override
    public boolean isOneShot() {
        return !replayable;
    }

    /**
     * True when another attempt can send the whole body: it was kept within the limit, or no attempt
     * has read a byte of it yet (the first backend refused the connection), so it is all still with
     * the client.
     */
    boolean isReplayable() {
        return replayable || !started;
    }

    @Override
    public synchronized void writeTo(BufferedSink sink) throws IOException {
        started = true;
        if (kept != null) {
            sink.write(kept.clone(), kept.size());
        } else if (in != null) {
            throw new IOException("the request body was already sent once and is too large to send again");
        }
        if (exhausted) {
            return;
        }
        if (in == null) {
            upload.started();
            in = clientBody.get();
        }
        byte[] chunk = new byte[CHUNK];
        int n;
        while ((n = readFromClient(chunk)) != -1) {
            if (kept != null) {
                if (kept.size() + n <= replayLimit) {
                    kept.write(chunk, 0, n);
                } else {
                    kept = null;
                    replayable = false;
                }
            }
            sink.write(chunk, 0, n);
            sink.flush(); // stream as it arrives: a slow upload must reach the backend as it trickles in
        }
        exhausted = true;
        upload.finished();
    }

    /**
     * The trailers the client sent after its body, once the body has been read to its end; null
     * before that, or when it sent none. A replay finds them here too: Jetty keeps them on the request.
     */
    synchronized HttpFields trailers() {
        return exhausted ? clientTrailers.get() : null;
    }

    /** Told when the client's body starts to be read (once) and when it has all been read. */
    interface Upload {
        void started();

        void finished();
    }

    /** Marks a failure on the client's side, so the backend is not blamed for it. */
    private int readFromClient(byte[] chunk) throws ClientBodyException {
        try {
            return in.read(chunk);
        } catch (IOException | RuntimeException e) {
            throw new ClientBodyException(e);
        }
    }

    /**
     * The client's body could not be read (the client went away mid-upload, or sent broken
     * framing): the backend did nothing wrong, so no breaker hears of it and no retry is made.
     */
    static final class ClientBodyException extends IOException {
        ClientBodyException(Throwable cause) {
            super("the client's request body broke off: " + (cause.getMessage() == null
                    ? cause.getClass().getSimpleName() : cause.getMessage()), cause);
        }
    }
}
