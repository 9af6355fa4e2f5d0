package io.chaosproxy.proxy.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Exact bytes onto a socket and what came back, including how the connection ended. */
final class Wire {
    private Wire() {}

    /** The first response on the connection (status -1 when none came), and whether the server closed afterwards. */
    record Reply(int status, Map<String, String> headers, String body, boolean closedAfter, String raw) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    static Reply exchange(URI server, String request) throws IOException {
        return exchange(server, request.getBytes(StandardCharsets.ISO_8859_1), 5_000);
    }

    static Reply exchange(URI server, byte[] bytes, int timeoutMillis) throws IOException {
        return exchange(server, bytes, timeoutMillis, false);
    }

    /** Like {@link #exchange(URI, String)}, and then waits a moment to see whether the server closes the connection. */
    static Reply exchangeAndWatchClose(URI server, String request) throws IOException {
        return exchange(server, request.getBytes(StandardCharsets.ISO_8859_1), 5_000, true);
    }

    /** Sends a complete request and half-closes: a server waiting for more than was declared sees the end at once. */
    static Reply exchangeAndHalfClose(URI server, byte[] bytes, int timeoutMillis) throws IOException {
        return exchange(server, bytes, timeoutMillis, false, true);
    }

    static Reply exchange(URI server, byte[] bytes, int timeoutMillis, boolean watchClose) throws IOException {
        return exchange(server, bytes, timeoutMillis, watchClose, false);
    }

    /** Sends {@code bytes}, reads one response (by Content-Length, or to the end), then maybe looks for a close. */
    static Reply exchange(URI server, byte[] bytes, int timeoutMillis, boolean watchClose, boolean halfClose) throws IOException {
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
                            Map<String, String> headers = headers(text.substring(0, end));
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
                return new Reply(-1, Map.of(), "", closed, text);
            }
            int status = Integer.parseInt(text.substring(9, 12));
            return new Reply(status, headers(text.substring(0, end)), text.substring(end + 4), closed, text);
        }
    }

    private static Map<String, String> headers(String head) {
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
