package io.chaosproxy.proxy.faults;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * What the fault tests share: a backend that answers every request, a clock in milliseconds, and
 * a plain socket that reports exactly how a connection ended (a RST, a FIN, or not at all), which
 * is the one thing a client library would hide.
 */
final class Wire {
    private Wire() {}

    /** How a connection ended, as a plain socket read sees it. */
    enum End {
        /** {@code SocketException: Connection reset}: the proxy sent a TCP RST. */
        RESET,
        /** {@code read()} returned -1: the proxy sent a FIN. */
        FIN,
        /** Nothing ended it within the wait: the connection is still open. */
        STILL_OPEN
    }

    /** The bytes that arrived before the end, and the end itself. */
    record Ending(byte[] received, End end) {
        String text() {
            return new String(received, StandardCharsets.ISO_8859_1);
        }

        /** The bytes after the blank line that ends the response head; empty when no head arrived. */
        byte[] bodyBytes() {
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

    /** Sends one request (head lines joined with CRLF) and reads until the connection ends or {@code wait} passes. */
    static Ending sendAndReadToEnd(URI proxy, String head, Duration wait) throws IOException {
        try (Socket socket = new Socket(proxy.getHost(), proxy.getPort())) {
            socket.getOutputStream().write((head.replace("\n", "\r\n") + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readToEnd(socket, wait);
        }
    }

    static Ending readToEnd(Socket socket, Duration wait) throws IOException {
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
    static String readOneResponse(Socket socket) throws IOException {
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
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
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
    static List<Integer> pipelinedStatuses(URI proxy, int count, IntFunction<String> head) throws IOException {
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
                String statusLine = line(in);
                int length = 0;
                for (String header = line(in); !header.isEmpty(); header = line(in)) {
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

    private static String line(InputStream in) throws IOException {
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

    /**
     * A counting backend that answers {@code /bytes/N} with N bytes of the {@code PatternServer}
     * pattern and anything else with 200 "ok".
     */
    static MockWebServer patternBackend() throws IOException {
        MockWebServer backend = new MockWebServer();
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getUrl().encodedPath();
                if (path.startsWith("/bytes/")) {
                    int length = Integer.parseInt(path.substring("/bytes/".length()));
                    byte[] body = new byte[length];
                    io.chaosproxy.proxy.testing.PatternServer.fill(body, 0, length);
                    return new MockResponse.Builder().code(200).body(new okio.Buffer().write(body)).build();
                }
                return new MockResponse.Builder().code(200).body("ok").build();
            }
        });
        backend.start(0);
        return backend;
    }

    /** A backend that answers every request 200 with {@code body}; it counts and records them. */
    static MockWebServer backendAnswering(String body) throws IOException {
        MockWebServer backend = new MockWebServer();
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).body(body).build();
            }
        });
        backend.start(0);
        return backend;
    }

    /**
     * Threads, other than the caller, with a frame of the proxy's data plane on their stack: a
     * waiting request that held a thread would be one of them.
     */
    static long threadsRunningProxyCode() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(thread -> thread.getKey() != Thread.currentThread())
                .filter(thread -> java.util.Arrays.stream(thread.getValue())
                        .anyMatch(frame -> frame.getClassName().startsWith("io.chaosproxy.proxy.dataplane")))
                .count();
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
