package io.chaosproxy.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.testing.ChildProxy;
import io.chaosproxy.proxy.testing.PatternServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1 GiB through a TCP proxy whose JVM has a 128 MiB heap, started from the command line with
 * {@code --tcp} as a user would (its port read from {@code --port-file}): the backend writes as
 * fast as it can, the client reads at its own pace, and the proxy holds no more than a buffer.
 */
@Timeout(180)
class TcpBoundedMemoryTest {
    private static final long ONE_GIB = 1L << 30;

    @Test
    void oneGibFlowsThroughAProxyWithA128MibHeapByteExact() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread source = new Thread(() -> sendPattern(backend), "pattern-source");
            source.setDaemon(true);
            source.start();
            try (ChildProxy proxy = ChildProxy.start(List.of("-Xmx128m"), List.of("--listen", "127.0.0.1:0",
                    "--control", "127.0.0.1:0", "--tcp", "bulk=127.0.0.1:" + backend.getLocalPort()))) {
                try (Socket socket = new Socket("127.0.0.1", proxy.port("bulk"))) {
                    socket.setSoTimeout(30_000);
                    assertThat(PatternServer.readPattern(socket.getInputStream())).isEqualTo(new PatternServer.Received(ONE_GIB, 0));
                }
                assertThat(proxy.process().isAlive()).as("the proxy survived with a 128 MiB heap").isTrue();
            }
        }
    }

    private static void sendPattern(ServerSocket backend) {
        try (Socket socket = backend.accept()) {
            PatternServer.writePattern(socket.getOutputStream(), ONE_GIB);
        } catch (Exception e) {
            // the test fails on the byte count
        }
    }
}
