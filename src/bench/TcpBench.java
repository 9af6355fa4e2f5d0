import io.chaosproxy.proxy.ChaosProxyServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * TCP proxy benchmark, side by side with direct loopback in one run: MB/s for 1 and 64 connections
 * (the client writes, a sink reads and discards) and the round-trip latency of 64-byte messages
 * through an echo (p50/p99, and what the proxy adds). The proxy runs in this JVM, so it shares the
 * CPUs with the load it measures. Run: java -cp proxy/target/chaos-proxy.jar src/bench/TcpBench.java
 */
public class TcpBench {
    static final long BYTES_PER_CONNECTION_1 = 2L << 30;   // 2 GiB for the single connection
    static final long BYTES_PER_CONNECTION_64 = 32L << 20;  // 32 MiB each for 64 connections
    static final int ROUND_TRIPS = 20_000;

    public static void main(String[] args) throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool(r -> { Thread t = new Thread(r); t.setDaemon(true); return t; });
        ServerSocket sink = serve(threads, TcpBench::discard);
        ServerSocket echo = serve(threads, TcpBench::echo);
        try (ChaosProxyServer proxy = ChaosProxyServer.builder().seed(1)
                .tcp("sink", "127.0.0.1:" + sink.getLocalPort())
                .tcp("echo", "127.0.0.1:" + echo.getLocalPort()).build().start()) {
            int sinkProxy = proxy.address("sink").port();
            int echoProxy = proxy.address("echo").port();
            throughput(threads, sink.getLocalPort(), 1, BYTES_PER_CONNECTION_1 / 4); // warm-up
            throughput(threads, sinkProxy, 1, BYTES_PER_CONNECTION_1 / 4);
            StringBuilder result = new StringBuilder("RESULT");
            for (int connections : new int[] {1, 64}) {
                long each = connections == 1 ? BYTES_PER_CONNECTION_1 : BYTES_PER_CONNECTION_64;
                double direct = throughput(threads, sink.getLocalPort(), connections, each);
                double proxied;
                try {
                    proxied = throughput(threads, sinkProxy, connections, each);
                } catch (Exception e) {
                    proxy.journal().entries().stream().filter(entry -> entry.connection() != null
                            && !"client-closed".equals(entry.connection().end())).limit(5)
                            .forEach(entry -> System.out.println("cut: " + entry));
                    throw e;
                }
                System.out.printf("throughput %2d connection(s): direct %8.0f MB/s   proxy %8.0f MB/s   ratio %.2f%n",
                        connections, direct, proxied, proxied / direct);
                result.append(String.format(" direct%d_mbs=%.0f proxy%d_mbs=%.0f ratio%d=%.2f", connections, direct, connections, proxied,
                        connections, proxied / direct));
            }
            latency(echo.getLocalPort(), ROUND_TRIPS / 4); // warm-up
            latency(echoProxy, ROUND_TRIPS / 4);
            long[] direct = latency(echo.getLocalPort(), ROUND_TRIPS);
            long[] proxied = latency(echoProxy, ROUND_TRIPS);
            // a difference of two p99s from separate runs can come out below zero when a stall hit the direct run: shown as 0
            System.out.printf("round trip 64 B: direct p50 %5d us p99 %5d us   proxy p50 %5d us p99 %5d us   added p50 %5d us p99 %5d us%n",
                    direct[0], direct[1], proxied[0], proxied[1], Math.max(0, proxied[0] - direct[0]), Math.max(0, proxied[1] - direct[1]));
            result.append(String.format(" direct_p50_us=%d proxy_p50_us=%d added_p50_us=%d direct_p99_us=%d proxy_p99_us=%d",
                    direct[0], proxied[0], Math.max(0, proxied[0] - direct[0]), direct[1], proxied[1]));
            System.out.println(result); // for src/bench/run.sh
        }
    }

    interface Handler { void handle(Socket socket) throws Exception; }

    static ServerSocket serve(ExecutorService threads, Handler handler) throws Exception {
        ServerSocket server = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (true) {
                try {
                    Socket socket = server.accept();
                    socket.setTcpNoDelay(true);
                    threads.execute(() -> { try (socket) { handler.handle(socket); } catch (Exception e) { } });
                } catch (Exception e) {
                    return;
                }
            }
        });
        return server;
    }

    static void discard(Socket socket) throws Exception {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[256 * 1024];
        while (in.read(buffer) != -1) { }
        socket.getOutputStream().write(1); // "all read": the client stops its clock on this byte
    }

    static void echo(Socket socket) throws Exception {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) != -1) {
            out.write(buffer, 0, n);
        }
    }

    static double throughput(ExecutorService threads, int port, int connections, long each) throws Exception {
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            done.add(threads.submit(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    OutputStream out = socket.getOutputStream();
                    byte[] block = new byte[256 * 1024];
                    for (long sent = 0; sent < each; sent += block.length) {
                        out.write(block);
                    }
                    socket.shutdownOutput();
                    socket.getInputStream().read();
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return connections * each / 1e6 / seconds;
    }

    static long[] latency(int port, int trips) throws Exception {
        long[] micros = new long[trips];
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            byte[] message = new byte[64];
            for (int i = 0; i < trips; i++) {
                long start = System.nanoTime();
                out.write(message);
                int got = 0;
                while (got < message.length) {
                    got += in.read(message, got, message.length - got);
                }
                micros[i] = (System.nanoTime() - start) / 1000;
            }
        }
        Arrays.sort(micros);
        return new long[] {micros[trips / 2], micros[trips * 99 / 100]};
    }
}
