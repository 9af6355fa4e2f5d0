package io.chaosproxy.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.Direction;
import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.HangPoint;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.LatencyDistribution;
import io.chaosproxy.faults.LatencyPoint;
import io.chaosproxy.faults.Bandwidth;
import io.chaosproxy.faults.Refuse;
import io.chaosproxy.faults.Slice;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.ConnectionRecord;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.testing.TcpEchoServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each TCP fault as a client on a real socket sees it, through a proxy in front of an echo server. */
@Timeout(30)
class TcpFaultsTest {
    private static final String PROXY = "echo";

    private TcpEchoServer echo;
    private ChaosProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        echo = new TcpEchoServer();
        proxy = ChaosProxyServer.builder().seed(7).tcp(PROXY, echo.address()).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        echo.close();
    }

    @Test
    void latencyDelaysEachRoundTripOfAConnectionAlreadyOpenAndStopsWhenRemoved() throws Exception {
        try (Socket socket = connect()) {
            roundTrip(socket, "warm");
            InstalledRule slow = proxy.inject(FaultRule.builder(new Latency(400)).proxy(PROXY).build());
            long start = System.nanoTime();
            roundTrip(socket, "slow");
            assertThat(millisSince(start)).as("a pooled connection feels a rule installed after it opened").isGreaterThanOrEqualTo(400);
            proxy.faults().remove(slow.id());
            start = System.nanoTime();
            roundTrip(socket, "fast");
            assertThat(millisSince(start)).isLessThan(400);
        }
    }

    @Test
    void upstreamLatencyDelaysWhatTheClientSends() throws Exception {
        proxy.inject(FaultRule.builder(new Latency(300, 0, LatencyDistribution.UNIFORM, 0, LatencyPoint.BEFORE_RESPONSE,
                Direction.UPSTREAM)).proxy(PROXY).build());
        try (Socket socket = connect()) {
            long start = System.nanoTime();
            roundTrip(socket, "up");
            assertThat(millisSince(start)).isGreaterThanOrEqualTo(300);
        }
    }

    @Test
    void dropAtConnectResetsNewConnectionsBeforeTheBackendIsCalled() throws Exception {
        InstalledRule drop = proxy.inject(FaultRule.builder(new Drop(DropPoint.CONNECT, 0, DropMode.RESET)).proxy(PROXY).build());
        try (Socket socket = connect()) {
            // the reset may come before the write or after it: either call is where the client sees it
            assertThatThrownBy(() -> {
                socket.getOutputStream().write(1);
                socket.getInputStream().read();
            }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
        JournalEntry entry = awaitEntry();
        assertThat(entry.connection().end()).isEqualTo(ConnectionRecord.END_FAULT);
        assertThat(entry.faults()).containsExactly(drop.id());
        assertThat(echo.accepted()).isZero();
    }

    @Test
    void dropAfterBytesDeliversExactlyThatManyBytesThenAFin() throws Exception {
        proxy.inject(FaultRule.builder(new Drop(DropPoint.AFTER_BYTES, 10, DropMode.CLOSE)).proxy(PROXY).build());
        try (Socket socket = connect()) {
            socket.getOutputStream().write(new byte[100]);
            byte[] received = socket.getInputStream().readAllBytes();
            assertThat(received).hasSize(10);
        }
        assertThat(awaitEntry().connection().end()).isEqualTo(ConnectionRecord.END_FAULT);
    }

    @Test
    void hangHoldsTheBytesOnAnOpenConnectionUntilTheRuleGoes() throws Exception {
        try (Socket socket = connect()) {
            InstalledRule hang = proxy.inject(FaultRule.builder(new Hang()).proxy(PROXY).build());
            socket.getOutputStream().write("held".getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(300);
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            proxy.faults().remove(hang.id());
            socket.setSoTimeout(10_000);
            assertThat(readExactly(socket.getInputStream(), 4)).isEqualTo("held");
        }
    }

    @Test
    void hangAfterBytesLetsThatManyThroughThenStallsUntilItExpires() throws Exception {
        InstalledRule hang = proxy.inject(FaultRule.builder(new Hang(HangPoint.MID_BODY, 3, Direction.DOWNSTREAM)).proxy(PROXY)
                .durationMs(1_500).build());
        try (Socket socket = connect()) {
            socket.getOutputStream().write("abcdef".getBytes(StandardCharsets.US_ASCII));
            assertThat(readExactly(socket.getInputStream(), 3)).isEqualTo("abc");
            assertThat(readExactly(socket.getInputStream(), 3)).isEqualTo("def");
            assertThat(java.time.Instant.now()).as("the rest waited for the rule to expire").isAfterOrEqualTo(hang.expiresAt());
        }
    }

    @Test
    void sliceDeliversTheBytesIntactInSmallPiecesWithPauses() throws Exception {
        proxy.inject(FaultRule.builder(new Slice(2, 20, Direction.DOWNSTREAM)).proxy(PROXY).build());
        try (Socket socket = connect()) {
            String message = "0123456789abcdefghij";
            long start = System.nanoTime();
            socket.getOutputStream().write(message.getBytes(StandardCharsets.US_ASCII));
            assertThat(readExactly(socket.getInputStream(), message.length())).isEqualTo(message);
            assertThat(millisSince(start)).as("9 pauses of 20 ms between 10 pieces").isGreaterThanOrEqualTo(180);
        }
    }

    @Test
    void bandwidthPacesTheBackendsBytes() throws Exception {
        proxy.inject(FaultRule.builder(new Bandwidth(4096)).proxy(PROXY).build());
        try (Socket socket = connect()) {
            byte[] payload = new byte[6 * 1024];
            Arrays.fill(payload, (byte) 'x');
            long start = System.nanoTime();
            socket.getOutputStream().write(payload);
            assertThat(readExactly(socket.getInputStream(), payload.length)).hasSize(payload.length);
            assertThat(millisSince(start)).as("6 KiB at 4 KiB/s").isGreaterThanOrEqualTo(1_200);
        }
    }

    @Test
    void refuseClosesThePortWhileOpenConnectionsCarryOnAndTheSamePortAcceptsAgain() throws Exception {
        try (Socket open = connect()) {
            roundTrip(open, "before");
            InstalledRule refuse = proxy.inject(FaultRule.builder(new Refuse()).proxy(PROXY).build());
            assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class).hasMessageContaining("refused");
            roundTrip(open, "during");
            assertThat(proxy.proxy(PROXY).orElseThrow().listenerState().name()).isEqualTo("REFUSING");
            proxy.faults().remove(refuse.id());
            try (Socket again = connect()) {
                roundTrip(again, "after");
            }
        }
    }

    @Test
    void theJournalHasOneEntryPerConnectionWithBytesEachWayAndTheRulesThatFired() throws Exception {
        InstalledRule slow = proxy.inject(FaultRule.builder(new Latency(1)).proxy(PROXY).build());
        try (Socket socket = connect()) {
            roundTrip(socket, "12345");
        }
        JournalEntry entry = awaitEntry();
        assertThat(entry.proxy()).isEqualTo(PROXY);
        assertThat(entry.faults()).containsExactly(slow.id());
        assertThat(entry.connection().bytesUp()).isEqualTo(5);
        assertThat(entry.connection().bytesDown()).isEqualTo(5);
        assertThat(entry.connection().client()).startsWith("127.0.0.1:");
        assertThat(entry.attempts()).hasSize(1);
    }

    private JournalEntry awaitEntry() throws InterruptedException {
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL.withProxy(PROXY), 1, Duration.ofSeconds(10));
        assertThat(entries).hasSize(1);
        return entries.get(0);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(proxy.address(PROXY).host(), proxy.address(PROXY).port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void roundTrip(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        assertThat(readExactly(socket.getInputStream(), text.length())).isEqualTo(text);
    }

    private static String readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
