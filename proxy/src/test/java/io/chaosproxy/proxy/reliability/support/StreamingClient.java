package io.chaosproxy.proxy.reliability.support;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One persistent HTTP/1.1 connection over a plain socket that streams bodies both ways without
 * holding them: request bodies are generated as they are written (fixed-length or chunked),
 * response bodies are digested as they are read. It reports exactly how a response ended
 * (complete, or cut short of its framing), which a client library would turn into an exception
 * or, worse, hide.
 */
public final class StreamingClient implements AutoCloseable {
    private static final byte[] CRLF = {'\r', '\n'};

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[32 * 1024];

    public StreamingClient(URI base, int readTimeoutMillis) throws IOException {
        socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /** A request body named by {@link Bodies}: {@code length} bytes from {@code seed}, framed as asked. */
    public record Body(long seed, long length, boolean chunked) {}

    /** How one exchange ended, as the client saw it. */
    public record Outcome(int status, Map<String, String> headers, long bodyLength, String bodySha256,
                          boolean complete, String failure) {
        /** A response arrived and its body ended where its framing said it would. */
        public boolean isComplete() {
            return failure == null && complete;
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public boolean connectionClose() {
            String connection = header("Connection");
            return connection != null && connection.toLowerCase(Locale.ROOT).contains("close");
        }

        static Outcome failed(String why) {
            return new Outcome(-1, Map.of(), 0, null, false, why);
        }
    }

    /**
     * Sends one request and reads its response. {@code headLines} are the header lines after the
     * request line; Content-Length or Transfer-Encoding is added for {@code body}.
     */
    public Outcome exchange(String method, String target, List<String> headLines, Body body) {
        try {
            writeRequest(method, target, headLines, body);
        } catch (IOException e) {
            return Outcome.failed("request write failed: " + e);
        }
        try {
            return readResponse(method.equals("HEAD"));
        } catch (IOException e) {
            return Outcome.failed("response read failed: " + e);
        }
    }

    private void writeRequest(String method, String target, List<String> headLines, Body body) throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        for (String line : headLines) {
            head.append(line).append("\r\n");
        }
        if (body != null) {
            head.append(body.chunked() ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length() + "\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            Bodies.Generator generator = new Bodies.Generator(body.seed());
            long left = body.length();
            // chunk sizes vary (1 B to 32 KiB) so chunk boundaries fall everywhere
            long sizes = body.seed() ^ 0x5DEECE66DL;
            while (left > 0) {
                int n = (int) Math.min(buffer.length, left);
                if (body.chunked()) {
                    sizes = sizes * 6364136223846793005L + 1442695040888963407L;
                    n = (int) Math.min(n, 1 + ((sizes >>> 33) % buffer.length));
                }
                generator.next(buffer, 0, n);
                if (body.chunked()) {
                    out.write(Integer.toHexString(n).getBytes(StandardCharsets.US_ASCII));
                    out.write(CRLF);
                }
                out.write(buffer, 0, n);
                if (body.chunked()) {
                    out.write(CRLF);
                }
                left -= n;
            }
            if (body.chunked()) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
        out.flush();
    }

    private Outcome readResponse(boolean head) throws IOException {
        int status;
        Map<String, String> headers = new LinkedHashMap<>();
        while (true) {
            String statusLine = line();
            if (statusLine == null) {
                return Outcome.failed("connection closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                return Outcome.failed("not a status line: " + statusLine);
            }
            status = Integer.parseInt(parts[1]);
            headers.clear();
            String line;
            while ((line = line()) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                headers.merge(name, value, (a, b) -> a + ", " + b);
            }
            if (line == null) {
                return new Outcome(status, headers, 0, null, false, "connection closed in the response head");
            }
            if (status / 100 != 1) {
                break; // 1xx (100 Continue) is followed by the real response
            }
        }
        MessageDigest digest = Bodies.newDigest();
        long[] length = {0};
        boolean complete;
        if (head || status == 204 || status == 304) {
            complete = true;
        } else if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            complete = readChunked(digest, length);
        } else if (headers.containsKey("content-length")) {
            complete = readFixed(digest, length, Long.parseLong(headers.get("content-length")));
        } else {
            complete = readToEnd(digest, length);
        }
        return new Outcome(status, headers, length[0], Bodies.hex(digest), complete, null);
    }

    private boolean readChunked(MessageDigest digest, long[] length) throws IOException {
        try {
            return readChunks(digest, length);
        } catch (java.net.SocketException e) {
            return false; // reset mid-body: cut short
        }
    }

    private boolean readChunks(MessageDigest digest, long[] length) throws IOException {
        while (true) {
            String sizeLine = line();
            if (sizeLine == null) {
                return false;
            }
            long size = Long.parseLong(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                String trailer;
                while ((trailer = line()) != null && !trailer.isEmpty()) {
                    // trailers are not expected here and not checked
                }
                return trailer != null;
            }
            if (!readFixed(digest, length, size)) {
                return false;
            }
            if (line() == null) {
                return false;
            }
        }
    }

    private boolean readFixed(MessageDigest digest, long[] length, long size) throws IOException {
        long left = size;
        while (left > 0) {
            int n;
            try {
                n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            } catch (IOException e) {
                return false; // reset mid-body: cut short, which is what the caller needs to know
            }
            if (n == -1) {
                return false;
            }
            digest.update(buffer, 0, n);
            length[0] += n;
            left -= n;
        }
        return true;
    }

    private boolean readToEnd(MessageDigest digest, long[] length) {
        try {
            int n;
            while ((n = in.read(buffer)) != -1) {
                digest.update(buffer, 0, n);
                length[0] += n;
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a socket that already failed
        }
    }
}
