package io.chaosproxy.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Header values are taken exactly as sent, also on a keep-alive connection whose previous request
 * sent the same header with a value equal ignoring case. (Jetty's per-connection header cache
 * matches ignoring case unless told otherwise; then a client's "Bearer AbC" became the previous
 * request's "Bearer abc": a wrong token accepted by the control API, and on the data plane
 * another request's credential forwarded.)
 */
class HeaderValuesOnAReusedConnectionTest {
    private static final String TOKEN = "token-with-letters";

    private final LinkedBlockingQueue<ScriptedBackend.Head> seen = new LinkedBlockingQueue<>();
    private ScriptedBackend backend;
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        backend = new ScriptedBackend(connection -> {
            ScriptedBackend.Head head;
            while ((head = connection.readHead()) != null) {
                seen.add(head);
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        proxy = ChaosProxyServer.builder().upstream(backend.url().toString()).control("127.0.0.1:0").controlToken(TOKEN)
                .seed(1).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    @Test
    void aTokenDifferingOnlyInCaseIsRefusedEvenRightAfterTheRightOne() throws Exception {
        try (KeepAlive connection = new KeepAlive(proxy.controlUrl())) {
            assertThat(connection.get("/status", "Authorization: Bearer " + TOKEN)).isEqualTo(200);
            assertThat(connection.get("/status", "Authorization: Bearer " + TOKEN.toUpperCase())).isEqualTo(401);
            assertThat(connection.get("/status", "Authorization: Bearer Token-With-Letters")).isEqualTo(401);
            assertThat(connection.get("/status", "Authorization: Bearer " + TOKEN)).isEqualTo(200);
        }
    }

    @Test
    void everyHeaderValueIsForwardedExactlyAsSentOnAReusedConnection() throws Exception {
        List<List<String>> requests = List.of(
                List.of("Authorization: Bearer abcDEF", "Cookie: session=AbC", "Accept: text/html", "User-Agent: Agent/1.0a",
                        "Accept-Language: en-gb", "Cache-Control: No-Cache", "X-Tenant: acme"),
                List.of("Authorization: Bearer ABCdef", "Cookie: session=aBc", "Accept: TEXT/HTML", "User-Agent: AGENT/1.0A",
                        "Accept-Language: EN-GB", "Cache-Control: no-cache", "X-Tenant: ACME"),
                List.of("Authorization: Basic YWJjOmRlZg==", "Cookie: SESSION=ABC", "Accept: Text/Html", "User-Agent: agent/1.0a",
                        "Accept-Language: En-Gb", "Cache-Control: NO-CACHE", "X-Tenant: Acme"),
                List.of("Authorization: basic ywjJomrLzG==", "Cookie: session=abc", "Accept: text/HTML", "User-Agent: Agent/1.0A",
                        "Accept-Language: en-GB", "Cache-Control: no-Cache", "X-Tenant: aCmE"));
        try (KeepAlive connection = new KeepAlive(proxy.url())) {
            for (List<String> headers : requests) {
                assertThat(connection.get("/forward", headers.toArray(String[]::new))).isEqualTo(200);
                ScriptedBackend.Head head = seen.poll(5, TimeUnit.SECONDS);
                assertThat(head).isNotNull();
                for (String header : headers) {
                    String name = header.substring(0, header.indexOf(':'));
                    assertThat(head.header(name)).as(name).isEqualTo(header.substring(name.length() + 2));
                }
            }
        }
    }

    /** Requests one after another on the same connection. */
    private static final class KeepAlive implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        KeepAlive(URI server) throws IOException {
            socket = new Socket(server.getHost(), server.getPort());
            socket.setSoTimeout(5_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        int get(String path, String... headers) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + String.join("\r\n", headers) + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b == -1) {
                    throw new IOException("closed after " + head);
                }
                head.append((char) b);
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            in.readNBytes(length);
            return Integer.parseInt(head.substring(9, 12));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
