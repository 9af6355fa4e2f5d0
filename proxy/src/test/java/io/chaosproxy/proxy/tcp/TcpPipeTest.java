package io.chaosproxy.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.ConnectionRecord;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.TcpEchoServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TcpPipeTest {
    private TcpEchoServer echo;
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        echo = new TcpEchoServer();
        proxy = ChaosProxyServer.builder().seed(1).tcp("echo", echo.address()).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        echo.close();
    }

    @Test
    void bytesGoBothWaysUnchangedAndTheHalfCloseIsPassedOn() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write("hello, backend".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello, backend");
        }
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL.withProxy("echo"), 1, Duration.ofSeconds(5));
        assertThat(entries).hasSize(1);
        ConnectionRecord connection = entries.get(0).connection();
        assertThat(connection.bytesUp()).isEqualTo(14);
        assertThat(connection.bytesDown()).isEqualTo(14);
        assertThat(connection.end()).isEqualTo(ConnectionRecord.END_CLIENT_CLOSED);
        assertThat(connection.backend()).isEqualTo("tcp://" + echo.address());
    }

    private Socket connect() throws Exception {
        Socket socket = new Socket(proxy.address("echo").host(), proxy.address("echo").port());
        socket.setSoTimeout(10_000);
        return socket;
    }
}
