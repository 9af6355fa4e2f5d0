package io.chaosproxy.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * A backend for big bodies that holds none of them: {@code GET /bytes/N} streams N bytes of a
 * known pattern, {@code POST|PUT /digest} answers the SHA-256 and size of what it received.
 */
public final class PatternServer implements AutoCloseable {
    private LoopbackJetty server;

    public PatternServer start() throws Exception {
        server = LoopbackJetty.start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = request.getHttpURI().getPath();
                if (path.startsWith("/bytes/")) {
                    stream(response, callback, Long.parseLong(path.substring("/bytes/".length())),
                            request.getHttpURI().getQuery() != null && request.getHttpURI().getQuery().contains("chunked"));
                } else {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    long size = 0;
                    try (InputStream in = Content.Source.asInputStream(request)) {
                        byte[] buffer = new byte[64 * 1024];
                        int n;
                        while ((n = in.read(buffer)) != -1) {
                            sha.update(buffer, 0, n);
                            size += n;
                        }
                    }
                    byte[] body = (size + " " + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.US_ASCII);
                    response.getHeaders().put("Content-Length", Integer.toString(body.length));
                    response.write(true, ByteBuffer.wrap(body), callback);
                }
                return true;
            }
        });
        return this;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.port() + "/");
    }

    /** Byte i of every pattern body: a period (251, prime) that no chunk size lines up with. */
    public static byte patternByte(long index) {
        return (byte) (index % 251);
    }

    public static void fill(byte[] buffer, long offset, int length) {
        for (int i = 0; i < length; i++) {
            buffer[i] = patternByte(offset + i);
        }
    }

    /** What a reader of a pattern stream got: how many bytes, and how many of them were not the pattern's. */
    public record Received(long bytes, long mismatches) {}

    /** Reads {@code in} to its end, checking every byte against the pattern. */
    public static Received readPattern(InputStream in) throws IOException {
        long received = 0;
        long mismatches = 0;
        byte[] buffer = new byte[256 * 1024];
        int n;
        while ((n = in.read(buffer)) != -1) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] != patternByte(received + i)) {
                    mismatches++;
                }
            }
            received += n;
        }
        return new Received(received, mismatches);
    }

    /** Writes the pattern's first {@code size} bytes to {@code out}. */
    public static void writePattern(OutputStream out, long size) throws IOException {
        byte[] block = new byte[64 * 1024];
        for (long sent = 0; sent < size; ) {
            int n = (int) Math.min(block.length, size - sent);
            fill(block, sent, n);
            out.write(block, 0, n);
            sent += n;
        }
    }

    private static void stream(Response response, Callback callback, long total, boolean chunked) {
        if (!chunked) {
            response.getHeaders().put("Content-Length", Long.toString(total));
        }
        new IteratingCallback() {
            private final byte[] block = new byte[64 * 1024];
            private long sent;

            @Override
            protected Action process() {
                if (sent == total) {
                    return Action.SUCCEEDED;
                }
                int n = (int) Math.min(block.length, total - sent);
                fill(block, sent, n);
                sent += n;
                response.write(sent == total, ByteBuffer.wrap(block, 0, n), this);
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

    @Override
    public void close() throws Exception {
        server.close();
    }
}
