package io.chaosproxy.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately dumb HTTP/1.1 client over a plain socket: it sends exactly the bytes it is given
 * and reports exactly what came back, so tests can see hop-by-hop headers, framing and broken
 * connections that a real client library would hide or "fix". An instance keeps one connection for
 * several requests; the static {@code exchange} methods send one request on a fresh connection and
 * also report how the connection ended.
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

    /**
     * One request on a fresh connection, read in a single pass: the first response on the connection
     * (status -1 when none came), and whether the server closed afterwards.
     */
    public record Exchange(int status, Map<String, String> headers, String body, boolean closedAfter, String raw) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public static Exchange exchange(URI server, String request) throws IOException {
        return exchange(server, request.getBytes(StandardCharsets.ISO_8859_1), 5_000);
    }

    public static Exchange exchange(URI server, byte[] bytes, int timeoutMillis) throws IOException {
        return exchange(server, bytes, timeoutMillis, false);
    }

    /** Like {@link #exchange(URI, String)}, and then waits a moment to see whether the server closes the connection. */
    public static Exchange exchangeAndWatchClose(URI server, String request) throws IOException {
        return exchange(server, request.getBytes(StandardCharsets.ISO_8859_1), 5_000, true);
    }

    /** Sends a complete request and half-closes: a server waiting for more than was declared sees the end at once. */
    public static Exchange exchangeAndHalfClose(URI server, byte[] bytes, int timeoutMillis) throws IOException {
        return exchange(server, bytes, timeoutMillis, false, true);
    }

    public static Exchange exchange(URI server, byte[] bytes, int timeoutMillis, boolean watchClose) throws IOException {
        return exchange(server, bytes, timeoutMillis, watchClose, false);
    }

    /** Sends {@code bytes}, reads one response (by Content-Length, or to the end), then maybe looks for a close. */
    public static Exchange exchange(URI server, byte[] bytes, int timeoutMillis, boolean watchClose, boolean halfClose) throws IOException {
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(timeoutMillis);
            try {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                // the server may refuse before reading everything; what it answered is still there to read
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int headEnd = -1;
            long bodyLength = -1;
            boolean closed = false;
            try {
                while (true) {
                    if (headEnd >= 0 && bodyLength >= 0 && received.size() >= headEnd + bodyLength) {
                        break;
                    }
                    int n = in.read(buffer);
                    if (n == -1) {
                        closed = true;
                        break;
                    }
                    received.write(buffer, 0, n);
                    if (headEnd < 0) {
                        String text = received.toString(StandardCharsets.ISO_8859_1);
                        int end = text.indexOf("\r\n\r\n");
                        if (end >= 0) {
                            headEnd = end + 4;
                            Map<String, String> headers = headerMap(text.substring(0, end));
                            String length = headers.get("content-length");
                            bodyLength = length == null ? -1 : Long.parseLong(length);
                        }
                    }
                }
            } catch (SocketTimeoutException e) {
                // no more bytes within the wait
            } catch (IOException e) {
                closed = true; // reset
            }
            if (!closed && watchClose) {
                socket.setSoTimeout(300);
                try {
                    closed = in.read() == -1;
                } catch (SocketTimeoutException e) {
                    closed = false;
                } catch (IOException e) {
                    closed = true;
                }
            }
            String text = received.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.1 ") || end < 0) {
                return new Exchange(-1, Map.of(), "", closed, text);
            }
            int status = Integer.parseInt(text.substring(9, 12));
            return new Exchange(status, headerMap(text.substring(0, end)), text.substring(end + 4), closed, text);
        }
    }

    private static Map<String, String> headerMap(String head) {
        Map<String, String> headers = new LinkedHashMap<>();
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return headers;
    }
}
