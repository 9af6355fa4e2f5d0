package io.chaosproxy.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.faults.Direction;
import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Slice;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.testing.TcpEchoServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 200 connections stream seeded random bytes through the proxy to an echo server and compare what
 * comes back byte for byte, while latency, slice and after-bytes drop rules are installed and
 * removed every 100 ms. No byte may differ; a connection cut short must have seen an error or an
 * early end of stream, never a quiet truncation taken for the whole.
 */
@Timeout(120)
class TcpIntegrityUnderChaosTest {
    private static final int CONNECTIONS = 200;
    private static final int BYTES_EACH = 96 * 1024;

    @Test
    void noByteIsEverAlteredAndEveryCutIsVisibleWhileRulesComeAndGo() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer();
             ChaosProxyServer proxy = ChaosProxyServer.builder().seed(99).tcp("echo", echo.address()).build().start()) {
            ScheduledExecutorService churn = Executors.newSingleThreadScheduledExecutor();
            AtomicLong tick = new AtomicLong();
            churn.scheduleAtFixedRate(() -> {
                long n = tick.incrementAndGet();
                proxy.faults().removeAll();
                FaultRule rule = switch ((int) (n % 4)) {
                    case 0 -> FaultRule.builder(new Latency(5)).proxy("echo").build();
                    case 1 -> FaultRule.builder(new Slice(700, 0, Direction.BOTH)).proxy("echo").build();
                    case 2 -> FaultRule.builder(new Drop(DropPoint.AFTER_BYTES, 20_000, DropMode.RESET, Direction.DOWNSTREAM))
                            .proxy("echo").probability(0.2).build();
                    default -> null;
                };
                if (rule != null) {
                    proxy.inject(rule);
                }
            }, 0, 100, TimeUnit.MILLISECONDS);

            ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS * 2);
            List<Future<long[]>> results = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                long seed = i;
                results.add(clients.submit(() -> exchange(proxy, seed, clients)));
            }
            long mismatched = 0;
            long complete = 0;
            long cutVisibly = 0;
            for (Future<long[]> result : results) {
                long[] outcome = result.get(100, TimeUnit.SECONDS);
                mismatched += outcome[0];
                if (outcome[1] == 1) {
                    complete++;
                } else {
                    cutVisibly++;
                }
            }
            churn.shutdownNow();
            clients.shutdownNow();
            assertThat(mismatched).as("bytes that differ from what was sent").isZero();
            assertThat(complete + cutVisibly).isEqualTo(CONNECTIONS);
            assertThat(complete).as("most connections finish whole").isGreaterThan(0);
        }
    }

    /** {mismatched bytes, 1 if all came back else 0}; a short read is only accepted with an error or an early EOF. */
    private static long[] exchange(ChaosProxyServer proxy, long seed, ExecutorService threads) throws Exception {
        try (Socket socket = new Socket(proxy.address("echo").host(), proxy.address("echo").port())) {
            socket.setSoTimeout(60_000);
            Future<?> writer = threads.submit(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                byte[] block = new byte[8 * 1024];
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int sent = 0; sent < BYTES_EACH; sent += block.length) {
                        fill(random, block);
                        out.write(block);
                    }
                    socket.shutdownOutput();
                } catch (IOException e) {
                    // a cut: the reader sees it too
                }
                return null;
            });
            SplittableRandom expected = new SplittableRandom(seed);
            byte[] expectedBlock = new byte[8 * 1024];
            int expectedAt = expectedBlock.length;
            long mismatched = 0;
            long received = 0;
            byte[] buffer = new byte[16 * 1024];
            InputStream in = socket.getInputStream();
            try {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    for (int i = 0; i < n; i++) {
                        if (expectedAt == expectedBlock.length) {
                            fill(expected, expectedBlock);
                            expectedAt = 0;
                        }
                        if (buffer[i] != expectedBlock[expectedAt++]) {
                            mismatched++;
                        }
                    }
                    received += n;
                }
            } catch (IOException e) {
                return new long[] {mismatched, 0}; // visible: an exception
            }
            writer.get(60, TimeUnit.SECONDS);
            // an end of stream before every byte is back is visible too: fewer bytes than were sent
            return new long[] {mismatched, received == BYTES_EACH ? 1 : 0};
        }
    }

    private static void fill(SplittableRandom random, byte[] block) {
        for (int i = 0; i < block.length; i += 8) {
            long value = random.nextLong();
            for (int b = 0; b < 8; b++) {
                block[i + b] = (byte) (value >>> (8 * b));
            }
        }
    }
}
