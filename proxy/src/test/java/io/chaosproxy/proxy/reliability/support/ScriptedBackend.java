package io.chaosproxy.proxy.reliability.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a plain server socket that does exactly what its script says on each connection:
 * answer, stall, die mid-body, reset. It also reports what it saw from the proxy's side (request
 * heads, how a body ended, whether a write failed), which is how a test observes that the proxy
 * cancelled an upstream call or freed its connection.
 */
public final class ScriptedBackend implements AutoCloseable {
    /** What to do with one accepted connection. */
    @FunctionalInterface
    public interface Script {
        void serve(Connection connection) throws Exception;
    }

    /** One request head as it arrived. */
    public record Head(String method, String target, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public boolean isChunked() {
            String encoding = header("Transfer-Encoding");
            return encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked");
        }

        public long contentLength() {
            String length = header("Content-Length");
            return length == null ? 0 : Long.parseLong(length.trim());
        }
    }

    /** How reading a request body ended: its length, and whether its framing was completed. */
    public record BodyRead(long length, boolean complete, String ending) {}

    private final ServerSocket server;
    private final Script script;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger heads = new AtomicInteger();
    private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    public ScriptedBackend(Script script) throws IOException {
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.script = script;
        this.acceptor = new Thread(this::acceptLoop, "scripted-backend-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Request heads read so far, on all connections. */
    public int requests() {
        return heads.get();
    }

    /** The next thing a script reported with {@link Connection#report}, waiting up to {@code seconds}. */
    public String nextEvent(long seconds) throws InterruptedException {
        return events.poll(seconds, TimeUnit.SECONDS);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.incrementAndGet();
            sockets.add(socket);
            Thread worker = new Thread(() -> {
                try (Connection connection = new Connection(socket)) {
                    script.serve(connection);
                } catch (Exception e) {
                    events.add("script failed: " + e);
                }
            }, "scripted-backend-conn");
            worker.setDaemon(true);
            worker.start();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    /** One accepted connection, with the reads and writes a script needs. */
    public final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(30_000);
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        public Socket socket() {
            return socket;
        }

        /** The next request head, or null when the proxy closed the connection first. */
        public Head readHead() throws IOException {
            String requestLine = line();
            if (requestLine == null) {
                return null;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            String line;
            while ((line = line()) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            heads.incrementAndGet();
            String[] parts = requestLine.split(" ");
            return new Head(parts[0], parts.length > 1 ? parts[1] : "", headers);
        }

        /** Reads the body {@code head} announces, to its end or until the connection ends. */
        public BodyRead readBody(Head head) {
            long length = 0;
            byte[] buffer = new byte[64 * 1024];
            try {
                if (head.isChunked()) {
                    while (true) {
                        String sizeLine = line();
                        if (sizeLine == null) {
                            return new BodyRead(length, false, "EOF in chunk framing");
                        }
                        long size = Long.parseLong(sizeLine.split(";")[0].trim(), 16);
                        if (size == 0) {
                            String trailer;
                            while ((trailer = line()) != null && !trailer.isEmpty()) {
                                // no trailers expected
                            }
                            return new BodyRead(length, trailer != null, trailer != null ? "complete" : "EOF in trailers");
                        }
                        long left = size;
                        while (left > 0) {
                            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                            if (n == -1) {
                                return new BodyRead(length, false, "EOF mid-chunk");
                            }
                            length += n;
                            left -= n;
                        }
                        line();
                    }
                }
                long left = head.contentLength();
                while (left > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n == -1) {
                        return new BodyRead(length, false, "EOF");
                    }
                    length += n;
                    left -= n;
                }
                return new BodyRead(length, true, "complete");
            } catch (IOException e) {
                return new BodyRead(length, false, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }

        public void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        public void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** Ends the connection with a TCP RST instead of a FIN. */
        public void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        /** True when the peer closed its side: a read returns end of stream or fails. */
        public boolean peerClosed() {
            try {
                return in.read() == -1;
            } catch (SocketException e) {
                return true;
            } catch (IOException e) {
                return false; // a read timeout: still open
            }
        }

        /** Tells the test something; read with {@link ScriptedBackend#nextEvent}. */
        public void report(String event) {
            events.add(event);
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
            return null;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
