package io.chaosproxy.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.control.ControlFixture.Reply;
import io.chaosproxy.proxy.config.PortInUseException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

class ControlApiLifecycleTest {

    @Test
    void bindFailureIsAPortInUseExceptionNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            ChaosProxyServer server = ChaosProxyServer.builder().control(address).build();

            assertThatThrownBy(server::start)
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageContaining("control API")
                    .hasMessageContaining(address);
        }
    }

    @Test
    void closeFreesThePortAndIsIdempotent() throws Exception {
        try (ChaosProxyServer server = ChaosProxyServer.builder().build().start()) {
            ControlApi api = new ControlApi(server, HostPort.loopback(0), null).start();
            int port = api.url().getPort();
            assertThat(port).isPositive();
            assertThat(api.url().toString()).isEqualTo("http://127.0.0.1:" + port + "/");

            api.close();
            api.close();

            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void aCallMadeTheMomentStartReturnsIsAnswered() throws Exception {
        try (ChaosProxyServer server = ChaosProxyServer.builder().build().start();
             ControlApi api = new ControlApi(server, HostPort.loopback(0), null).start()) {
            // the web stack may still be starting: the kernel holds the connection until it serves it
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), api.url().getPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(answer).startsWith("HTTP/1.1 200 ");
            }
        }
    }

    @Test
    void closedTheMomentStartReturnsItStillEndsWithThePortFree() throws Exception {
        try (ChaosProxyServer server = ChaosProxyServer.builder().build().start()) {
            for (int i = 0; i < 5; i++) {
                ControlApi api = new ControlApi(server, HostPort.loopback(0), null).start();
                int port = api.url().getPort();

                api.close(); // while the web stack is most likely still starting

                assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                        .as("round %d", i).isInstanceOf(ConnectException.class);
            }
            // a close that did not wait for the start would leave the web stack's threads running
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                    .filteredOn(Thread::isAlive).extracting(Thread::getName)
                    .noneMatch(name -> name.startsWith("chaos-proxy-control")));
        }
    }

    @Test
    void inTheBackgroundStartReturnsBeforeTheWebStackAndAwaitControlWaitsForIt() throws Exception {
        try (ChaosProxyServer server = ChaosProxyServer.builder().control("127.0.0.1:0").controlInBackground().build().start()) {
            server.awaitControl();

            assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive).extracting(Thread::getName)
                    .anyMatch(name -> name.startsWith("chaos-proxy-control-"));
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.controlUrl().getPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                        .startsWith("HTTP/1.1 200 ");
            }
        }
    }

    @Test
    void listeningBeyondLoopbackWithoutATokenWarnsOnStderr() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (ChaosProxyServer server = ChaosProxyServer.builder().build().start();
             ControlApi api = new ControlApi(server, new HostPort("0.0.0.0", 0), null).start()) {
            assertThat(api.url().getHost()).isEqualTo("127.0.0.1");
        } finally {
            System.setErr(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("WARNING").contains("without a token");
    }

    @Test
    void requestsJettyRefusesStillGetTheJsonErrorShape() throws Exception {
        try (ControlFixture fixture = ControlFixture.start()) {
            Reply reply = fixture.send(new Request.Builder().url(fixture.controlUrl().resolve("/status").toString())
                    .header("X-Big", "x".repeat(20_000)).build());

            assertThat(reply.status()).isEqualTo(431);
            assertThat(reply.json().get("error").asText()).isNotBlank();
        }
    }

    @Test
    void oddRequestsAreNeverServerErrors() throws Exception {
        try (ControlFixture fixture = ControlFixture.start()) {
            for (String target : new String[] {"/requests?path=%ZZ", "/requests?limit=%", "/faults/%00",
                    "/proxies/..%2F..%2Fetc", "/faults/%C0%AF", "//faults", "/%2e%2e/status"}) {
                String answer = raw(fixture, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertThat(answer).as(target).matches("(?s)HTTP/1.1 [24]\\d\\d .*");
                if (answer.startsWith("HTTP/1.1 4")) {
                    assertThat(answer).as(target).contains("\"error\"");
                }
            }
            assertThat(fixture.send(new Request.Builder().url(fixture.controlUrl().resolve("/health").toString()).head().build())
                    .status()).isEqualTo(200);
            String deepYaml = "[".repeat(10_000) + "]".repeat(10_000);
            assertThat(fixture.control("POST", "/scenarios", deepYaml, MediaType.get("application/yaml")).status()).isEqualTo(400);
            String laughs = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                    + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                    + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
            Reply bomb = fixture.control("POST", "/scenarios", laughs, MediaType.get("application/yaml"));
            assertThat(bomb.status()).isEqualTo(400);
            assertThat(bomb.json().get("error").asText()).isNotBlank();
            assertThat(fixture.get("/health").status()).isEqualTo(200);
        }
    }

    /** Sends bytes exactly as given (no client-side URL cleanup) and reads the whole answer. */
    private static String raw(ControlFixture fixture, String request) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), fixture.controlUrl().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
