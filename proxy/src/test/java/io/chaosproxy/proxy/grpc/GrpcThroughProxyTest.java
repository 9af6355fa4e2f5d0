package io.chaosproxy.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A grpc-java client talks to a grpc-java server through the proxy (client to proxy: HTTP/2 with
 * prior knowledge; proxy to server: an {@code h2c://} upstream): all four call kinds arrive intact,
 * with their metadata, statuses, deadlines and bytes.
 */
class GrpcThroughProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private EchoGrpcBackend backend;
    private ChaosProxyServer proxy;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        backend = new EchoGrpcBackend();
        proxy = ChaosProxyServer.builder().upstream("h2c://127.0.0.1:" + backend.port()).seed(5).build().start();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", proxy.url().getPort(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(EchoGrpcBackend.MAX_MESSAGE)
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        proxy.close();
        backend.close();
    }

    private static SimpleRequest request(String message) {
        return SimpleRequest.newBuilder().setRequestMessage(message).build();
    }

    private JournalEntry onlyJournalEntry() throws InterruptedException {
        List<JournalEntry> entries = proxy.journal().await(JournalQuery.ALL, 1, WAIT);
        assertThat(entries).hasSize(1);
        return entries.get(0);
    }

    @Test
    void unaryCallKeepsMetadataBothWaysAndTheDeadlineReachesTheServer() throws Exception {
        Metadata sent = new Metadata();
        sent.put(EchoGrpcBackend.TENANT, "tenant-a");
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        SimpleServiceGrpc.SimpleServiceBlockingStub stub = SimpleServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(sent),
                        MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                .withDeadlineAfter(5, TimeUnit.SECONDS);

        SimpleResponse response = stub.unaryRpc(request("deadline"));

        long serverRemainingMs = Long.parseLong(response.getResponseMessage());
        assertThat(serverRemainingMs).isPositive().isLessThanOrEqualTo(5_000);
        assertThat(backend.lastHeaders().get(EchoGrpcBackend.TENANT)).isEqualTo("tenant-a");
        assertThat(headers.get().get(EchoGrpcBackend.TENANT_ECHO)).isEqualTo("tenant-a");
        assertThat(trailers.get().get(EchoGrpcBackend.SERVED_BY)).isEqualTo("echo-backend");
        JournalEntry entry = onlyJournalEntry();
        assertThat(entry.path()).isEqualTo("/grpc.testing.SimpleService/UnaryRpc");
        assertThat(entry.method()).isEqualTo("POST");
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.grpcStatus()).isZero();
    }

    @Test
    void backendStatusAndMessageReachTheClientAndTheJournal() throws Exception {
        SimpleServiceGrpc.SimpleServiceBlockingStub stub = SimpleServiceGrpc.newBlockingStub(channel);

        assertThatThrownBy(() -> stub.unaryRpc(request("status:5:no such order")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no such order");
                    assertThat(e.getTrailers().get(EchoGrpcBackend.SERVED_BY)).isEqualTo("echo-backend");
                });
        assertThat(onlyJournalEntry().grpcStatus()).isEqualTo(5);
    }

    @Test
    void serverStreamingCallDeliversEveryMessageInOrder() {
        Iterator<SimpleResponse> responses = SimpleServiceGrpc.newBlockingStub(channel).serverStreamingRpc(request("200:1000"));

        List<String> received = new ArrayList<>();
        responses.forEachRemaining(response -> received.add(response.getResponseMessage()));

        assertThat(received).hasSize(200);
        for (int i = 0; i < received.size(); i++) {
            assertThat(received.get(i)).startsWith(i + "-").hasSize(1000);
        }
    }

    @Test
    void clientStreamingCallDeliversEveryMessage() throws Exception {
        CompletableFuture<String> joined = new CompletableFuture<>();
        StreamObserver<SimpleRequest> requests = SimpleServiceGrpc.newStub(channel).clientStreamingRpc(new StreamObserver<>() {
            @Override
            public void onNext(SimpleResponse response) {
                joined.complete(response.getResponseMessage());
            }

            @Override
            public void onError(Throwable t) {
                joined.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sent.add("m" + i);
            requests.onNext(request("m" + i));
        }
        requests.onCompleted();

        assertThat(joined.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(String.join("+", sent));
    }

    /** Each reply is awaited before the next message is sent: a proxy that buffered either way would stall here. */
    @Test
    void bidirectionalMessagesPassAsTheyCome() throws Exception {
        BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
        StreamObserver<SimpleRequest> requests = SimpleServiceGrpc.newStub(channel).bidiStreamingRpc(new StreamObserver<>() {
            @Override
            public void onNext(SimpleResponse response) {
                replies.add(response.getResponseMessage());
            }

            @Override
            public void onError(Throwable t) {
                replies.add(t);
            }

            @Override
            public void onCompleted() {
                replies.add("completed");
            }
        });

        for (int i = 0; i < 20; i++) {
            requests.onNext(request("ping-" + i));
            assertThat(replies.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("echo:ping-" + i);
        }
        requests.onCompleted();
        assertThat(replies.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("completed");
    }

    @Test
    void fourMebibyteMessageArrivesByteExactBothWays() throws Exception {
        Random random = new Random(4);
        StringBuilder big = new StringBuilder(4 * 1024 * 1024);
        for (int i = 0; i < 4 * 1024 * 1024; i++) {
            big.append((char) ('!' + random.nextInt(94)));
        }
        String message = big.toString();

        SimpleResponse response = SimpleServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .unaryRpc(request(message));

        assertThat(response.getResponseMessage().length()).isEqualTo(message.length());
        assertThat(response.getResponseMessage()).isEqualTo(message);
        assertThat(onlyJournalEntry().grpcStatus()).isZero();
    }
}
