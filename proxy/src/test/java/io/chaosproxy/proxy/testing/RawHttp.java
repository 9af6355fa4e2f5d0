package io.chaosproxy.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A deliberately dumb HTTP/1.1 client over a plain socket: it sends exactly the bytes it is given
 * and reports exactly what came back, so tests can see hop-by-hop headers, framing and broken
 * connections that a real client library would hide or "fix".
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(URI base) throws IOException {
        socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(15_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Sends a request head (lines joined with CRLF, blank line added) and an optional body. */
    public RawHttp send(String head, byte[] body) throws IOException {
        out.write((head.replace("\n", "\r\n") + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
        return this;
    }

    public RawHttp sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Reads one response; {@code head} tells it not to expect a body. */
    public Reply read(boolean head) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        List<String[]> headers = new ArrayList<>();
        String line;
        while ((line = line()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Reply reply = new Reply(status, headers, new byte[0], false);
        if (head || status == 204 || status == 304 || status / 100 == 1) {
            return reply;
        }
        String length = reply.header("Content-Length");
        String encoding = reply.header("Transfer-Encoding");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete;
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            complete = readChunked(body);
        } else if (length != null) {
            complete = readFixed(body, Long.parseLong(length));
        } else {
            complete = readToEnd(body);
        }
        return new Reply(status, headers, body.toByteArray(), !complete);
    }

    private boolean readChunked(ByteArrayOutputStream body) throws IOException {
        while (true) {
            String sizeLine = line();
            if (sizeLine == null) {
                return false;
            }
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                String trailer;
                while ((trailer = line()) != null && !trailer.isEmpty()) {
                    // trailers are ignored
                }
                return trailer != null;
            }
            if (!readFixed(body, size)) {
                return false;
            }
            if (line() == null) {
                return false;
            }
        }
    }

    private boolean readFixed(ByteArrayOutputStream body, long length) throws IOException {
        byte[] buffer = new byte[8192];
        long left = length;
        while (left > 0) {
            int n;
            try {
                n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            } catch (IOException e) {
                return false;
            }
            if (n == -1) {
                return false;
            }
            body.write(buffer, 0, n);
            left -= n;
        }
        return true;
    }

    private boolean readToEnd(ByteArrayOutputStream body) throws IOException {
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
            body.write(buffer, 0, n);
        }
        return true;
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** True when the server closed the connection (a read returns end of stream). */
    public boolean isClosedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A response as it arrived; {@code truncated} when the body ended before its framing said it would. */
    public record Reply(int status, List<String[]> headers, byte[] body, boolean truncated) {
        public String header(String name) {
            for (String[] header : headers) {
                if (header[0].equalsIgnoreCase(name)) {
                    return header[1];
                }
            }
            return null;
        }

        public List<String> headerNames() {
            List<String> names = new ArrayList<>();
            for (String[] header : headers) {
                names.add(header[0].toLowerCase(Locale.ROOT));
            }
            return names;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
