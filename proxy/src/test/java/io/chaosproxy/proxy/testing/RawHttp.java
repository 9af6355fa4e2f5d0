package io.chaosproxy.proxy.testing;

import io.chaosproxy.proxy.reliability.support.Bodies;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A deliberately dumb HTTP/1.1 client over a plain socket: it sends exactly the bytes it is given
 * and reports exactly what came back, so tests can see hop-by-hop headers, framing and broken
 * connections that a real client library would hide or "fix". An instance keeps one connection for
 * several requests and can stream large generated bodies both ways, digesting instead of holding
 * them; the static methods send on a fresh connection and report how it ended (a RST, a FIN, or not
 * at all), or pipeline many requests down one connection.
 */
public final class RawHttp implements AutoCloseable {
    private static final byte[] CRLF = {'\r', '\n'};
    /**
     * How long the one-shot exchanges wait for an answer (or a close) that must come. Generous on
     * purpose: a read ends as soon as the answer is complete, so the margin costs nothing when all
     * is well, while a loaded two-core machine stalls a JVM for seconds (at load 12 a 20 MB young
     * GC took 0.6 s; the first request through a fresh JVM took over 5 s). A tighter wait made
     * such a stall look like an exchange the proxy never answered.
     */
    public static final int ANSWER_WAIT_MILLIS = 30_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[32 * 1024];

    public RawHttp(URI base) throws IOException {
        this(base, 15_000);
    }

    /** A connection whose reads give up after {@code readTimeoutMillis}; buffered both ways for large streams. */
    public RawHttp(URI base, int readTimeoutMillis) throws IOException {
        socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(readTimeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
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

    private boolean readFixed(ByteArrayOutputStream body, long length) {
        return readExactly(length, (bytes, n) -> body.write(bytes, 0, n));
    }

    /** Where {@link #readExactly} puts each piece it reads. */
    private interface Sink {
        void accept(byte[] bytes, int n);
    }

    /** Reads {@code size} bytes into {@code sink}; false when the connection ended or reset first (cut short). */
    private boolean readExactly(long size, Sink sink) {
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
            sink.accept(buffer, n);
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
     * Sends one request with a generated body and reads its response, digesting the body instead of holding it. {@code headLines} are the header lines after the
     * request line; Content-Length or Transfer-Encoding is added for {@code body}.
     */
    public Outcome exchange(String method, String target, List<String> headLines, Body body) {
        try {
            writeRequest(method, target, headLines, body);
        } catch (IOException e) {
            return Outcome.failed("request write failed: " + e);
        }
        try {
            return readDigested(method.equals("HEAD"));
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

    private Outcome readDigested(boolean head) throws IOException {
        int status;
        Map<String, String> headers = new LinkedHashMap<>();
        while (true) {
            String statusLine = completeLine();
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
            while ((line = completeLine()) != null && !line.isEmpty()) {
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
            complete = digestChunked(digest, length);
        } else if (headers.containsKey("content-length")) {
            complete = digestFixed(digest, length, Long.parseLong(headers.get("content-length")));
        } else {
            complete = digestToEnd(digest, length);
        }
        return new Outcome(status, headers, length[0], Bodies.hex(digest), complete, null);
    }

    private boolean digestChunked(MessageDigest digest, long[] length) throws IOException {
        try {
            return digestChunks(digest, length);
        } catch (SocketException e) {
            return false; // reset mid-body: cut short
        }
    }

    private boolean digestChunks(MessageDigest digest, long[] length) throws IOException {
        while (true) {
            String sizeLine = completeLine();
            if (sizeLine == null) {
                return false;
            }
            long size = Long.parseLong(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                String trailer;
                while ((trailer = completeLine()) != null && !trailer.isEmpty()) {
                    // trailers are not expected here and not checked
                }
                return trailer != null;
            }
            if (!digestFixed(digest, length, size)) {
                return false;
            }
            if (completeLine() == null) {
                return false;
            }
        }
    }

    private boolean digestFixed(MessageDigest digest, long[] length, long size) {
        return readExactly(size, (bytes, n) -> {
            digest.update(bytes, 0, n);
            length[0] += n;
        });
    }

    private boolean digestToEnd(MessageDigest digest, long[] length) {
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

    private String completeLine() throws IOException {
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
        return exchange(server, request.getBytes(StandardCharsets.ISO_8859_1), ANSWER_WAIT_MILLIS);
    }

    public static Exchange exchange(URI server, byte[] bytes, int timeoutMillis) throws IOException {
        return exchange(server, bytes, timeoutMillis, false);
    }

    /** Like {@link #exchange(URI, String)}, and then waits (as long again) for the server to close the connection. */
    public static Exchange exchangeAndWatchClose(URI server, String request) throws IOException {
        return exchange(server, request.getBytes(StandardCharsets.ISO_8859_1), ANSWER_WAIT_MILLIS, true);
    }

    /** Sends a complete request and half-closes: a server waiting for more than was declared sees the end at once. */
    public static Exchange exchangeAndHalfClose(URI server, byte[] bytes, int timeoutMillis) throws IOException {
        return exchange(server, bytes, timeoutMillis, false, true);
    }

    public static Exchange exchange(URI server, byte[] bytes, int timeoutMillis, boolean watchClose) throws IOException {
        return exchange(server, bytes, timeoutMillis, watchClose, false);
    }

    /**
     * Sends {@code bytes}, reads one response (by Content-Length, or to the end), then maybe waits
     * for a close; each wait gives up after {@code timeoutMillis} without a byte.
     */
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

    /** How a connection ended, as a plain socket read sees it. */
    public enum End {
        /** {@code SocketException: Connection reset}: the proxy sent a TCP RST. */
        RESET,
        /** {@code read()} returned -1: the proxy sent a FIN. */
        FIN,
        /** Nothing ended it within the wait: the connection is still open. */
        STILL_OPEN
    }

    /** The bytes that arrived before the end, and the end itself. */
    public record Ending(byte[] received, End end) {
        public String text() {
            return new String(received, StandardCharsets.ISO_8859_1);
        }

        /** The bytes after the blank line that ends the response head; empty when no head arrived. */
        public byte[] bodyBytes() {
            String text = text();
            int head = text.indexOf("\r\n\r\n");
            if (head < 0) {
                return new byte[0];
            }
            byte[] body = new byte[received.length - head - 4];
            System.arraycopy(received, head + 4, body, 0, body.length);
            return body;
        }
    }

    /** Sends one request (head lines joined with CRLF) on a fresh connection and reads until the connection ends or {@code wait} passes. */
    public static Ending sendAndReadToEnd(URI proxy, String head, Duration wait) throws IOException {
        try (Socket socket = new Socket(proxy.getHost(), proxy.getPort())) {
            socket.getOutputStream().write((head.replace("\n", "\r\n") + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readToEnd(socket, wait);
        }
    }

    public static Ending readToEnd(Socket socket, Duration wait) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + wait.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        while (true) {
            long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMillis <= 0) {
                return new Ending(received.toByteArray(), End.STILL_OPEN);
            }
            socket.setSoTimeout((int) leftMillis);
            int n;
            try {
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                return new Ending(received.toByteArray(), End.STILL_OPEN);
            } catch (SocketException e) {
                if (String.valueOf(e.getMessage()).contains("reset")) {
                    return new Ending(received.toByteArray(), End.RESET);
                }
                throw e;
            }
            if (n == -1) {
                return new Ending(received.toByteArray(), End.FIN);
            }
            received.write(buffer, 0, n);
        }
    }

    /**
     * Reads one response framed by Content-Length (the connection may stay open) and returns its
     * status line and body, as {@code "HTTP/1.1 200 OK\n<body>"}.
     */
    public static String readOneResponse(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("connection ended inside the response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return text.substring(0, text.indexOf("\r\n")) + "\n" + new String(body, StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends {@code count} requests down one connection without waiting (HTTP/1.1 pipelining, which
     * the proxy answers strictly in order) and returns the statuses in request order. Cheap enough
     * for thousands of requests on a busy machine.
     */
    public static List<Integer> pipelinedStatuses(URI proxy, int count, IntFunction<String> head) throws IOException {
        try (Socket socket = new Socket(proxy.getHost(), proxy.getPort())) {
            socket.setSoTimeout(30_000);
            StringBuilder requests = new StringBuilder();
            for (int i = 0; i < count; i++) {
                requests.append(head.apply(i).replace("\n", "\r\n")).append("\r\n\r\n");
            }
            Thread writer = new Thread(() -> {
                try {
                    socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                } catch (IOException e) {
                    // the reader below fails with the reason
                }
            }, "pipelined-writer");
            writer.start();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            List<Integer> statuses = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String statusLine = headLine(in);
                int length = 0;
                for (String header = headLine(in); !header.isEmpty(); header = headLine(in)) {
                    if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                        length = Integer.parseInt(header.substring(15).trim());
                    }
                }
                in.readNBytes(length);
                statuses.add(Integer.parseInt(statusLine.split(" ")[1]));
            }
            return statuses;
        }
    }

    private static String headLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new IOException("connection ended after: " + line);
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
