package io.chaosproxy.proxy.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.Bandwidth;
import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Latency;
import io.chaosproxy.faults.Target;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import io.chaosproxy.proxy.resilience.BreakerState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults on gRPC calls as a grpc-java client sees them: injected statuses, method matching,
 * latency against deadlines, hangs, bandwidth, streams cut by drops, the client's own retry
 * policy, and breakers that count injected upstream failures.
 */
class GrpcFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String UNARY = "/grpc.testing.SimpleService/UnaryRpc";
    private static final String SERVER_STREAMING = "/grpc.testing.SimpleService/ServerStreamingRpc";

    private EchoGrpcBackend backend;
    private ChaosProxyServer proxy;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        backend = new EchoGrpcBackend();
        proxy = ChaosProxyServer.builder()
                .upstream("h2c://127.0.0.1:" + backend.port())
                .resilience(ResilienceSettings.builder().breakerFailures(2).breakerCooldown(Duration.ofMinutes(1)).build())
                .seed(9).build().start();
        channel = channel(null);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        proxy.close();
        backend.close();
    }

    private ManagedChannel channel(Map<String, ?> serviceConfig) {
        var builder = Grpc.newChannelBuilderForAddress("127.0.0.1", proxy.url().getPort(), InsecureChannelCredentials.create());
        if (serviceConfig != null) {
            builder.defaultServiceConfig(serviceConfig).enableRetry();
        }
        return builder.build();
    }

    private static SimpleRequest request(String message) {
        return SimpleRequest.newBuilder().setRequestMessage(message).build();
    }

    private SimpleServiceGrpc.SimpleServiceBlockingStub stub() {
        return SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Status.Code codeOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        return Status.Code.OK;
    }

    @Test
    void injectedUnavailableIsSeenWithItsMessageAndTheBackendIsNeverCalled() throws Exception {
        InstalledRule rule = proxy.inject(FaultRule.builder(ErrorResponse.grpc(14, "payments down: 100% é")).path(UNARY).build());

        assertThatThrownBy(() -> stub().unaryRpc(request("hello")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).isEqualTo("payments down: 100% é");
                });

        JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, WAIT).get(0);
        assertThat(entry.status()).isEqualTo(200);
        assertThat(entry.grpcStatus()).isEqualTo(14);
        assertThat(entry.faults()).containsExactly(rule.id());
        assertThat(entry.attempts()).isEmpty();
        assertThat(backend.calls()).isZero();
    }

    @Test
    void pathSelectsOneMethodOrAGlobOfThem() throws Exception {
        InstalledRule one = proxy.inject(FaultRule.builder(ErrorResponse.grpc(7, "no")).path(UNARY).build());

        assertThat(codeOf(() -> stub().unaryRpc(request("a")))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(codeOf(() -> stub().serverStreamingRpc(request("2:10")).forEachRemaining(r -> { }))).isEqualTo(Status.Code.OK);

        proxy.faults().remove(one.id());
        proxy.inject(FaultRule.builder(ErrorResponse.grpc(8, "slow down")).path("/grpc.testing.SimpleService/**").build());

        assertThat(codeOf(() -> stub().unaryRpc(request("a")))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(codeOf(() -> stub().serverStreamingRpc(request("2:10")).forEachRemaining(r -> { })))
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void clientRetryPolicyRetriesAndTheJournalShowsEachCall() throws Exception {
        channel.shutdownNow();
        channel = channel(Map.of("methodConfig", List.of(Map.of(
                "name", List.of(Map.of("service", "grpc.testing.SimpleService")),
                "retryPolicy", Map.of(
                        "maxAttempts", 3.0,
                        "initialBackoff", "0.01s",
                        "maxBackoff", "0.1s",
                        "backoffMultiplier", 2.0,
                        "retryableStatusCodes", List.of("UNAVAILABLE"))))));
        proxy.inject(FaultRule.builder(ErrorResponse.grpc(14, "try again")).path(UNARY).times(2).build());

        SimpleResponse response = stub().unaryRpc(request("third time lucky"));

        assertThat(response.getResponseMessage()).isEqualTo("third time lucky");
        List<JournalEntry> calls = proxy.journal().await(JournalQuery.ALL, 3, WAIT);
        assertThat(calls).extracting(JournalEntry::grpcStatus).containsExactly(14, 14, 0);
        assertThat(calls).extracting(JournalEntry::path).containsOnly(UNARY);
        assertThat(backend.calls()).isEqualTo(1);
    }

    @Test
    void latencyLongerThanTheDeadlineEndsInDeadlineExceededBeforeTheBackendIsCalled() throws Exception {
        proxy.inject(FaultRule.builder(new Latency(3_000)).path(UNARY).build());

        assertThatThrownBy(() -> SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .unaryRpc(request("late")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, WAIT).get(0);
        assertThat(entry.status()).isNull();
        assertThat(backend.calls()).isZero();
    }

    @Test
    void hangHoldsTheCallUntilTheClientsDeadline() throws Exception {
        proxy.inject(FaultRule.builder(new Hang()).path(UNARY).build());

        assertThat(codeOf(() -> SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .unaryRpc(request("held")))).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(proxy.journal().await(JournalQuery.ALL, 1, WAIT).get(0).status()).isNull();
        assertThat(backend.calls()).isZero();
    }

    @Test
    void bandwidthSlowsAServerStreamAndEveryMessageStillArrives() {
        proxy.inject(FaultRule.builder(new Bandwidth(50_000)).path(SERVER_STREAMING).build());

        long start = System.nanoTime();
        List<String> received = new ArrayList<>();
        stub().serverStreamingRpc(request("100:1000")).forEachRemaining(r -> received.add(r.getResponseMessage()));
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(received).hasSize(100);
        // 100 messages of 1000 characters plus framing is over 100 kB: at 50 kB/s at least 2 s (1.5 s of margin below)
        assertThat(millis).isGreaterThanOrEqualTo(1_500);
    }

    @Test
    void dropMidBodyCutsAServerStreamPartWay() throws Exception {
        proxy.inject(FaultRule.builder(new Drop(DropPoint.MID_BODY, 20_000, DropMode.RESET)).path(SERVER_STREAMING).build());

        List<String> received = new ArrayList<>();
        Iterator<SimpleResponse> stream = stub().serverStreamingRpc(request("200:1000"));
        assertThatThrownBy(() -> stream.forEachRemaining(r -> received.add(r.getResponseMessage())))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isIn(Status.Code.INTERNAL, Status.Code.UNAVAILABLE));

        // each message is 1008 body bytes (5 of gRPC framing, 3 of protobuf): 20,000 bytes hold 19 whole ones
        assertThat(received).hasSize(19);
        JournalEntry entry = proxy.journal().await(JournalQuery.ALL, 1, WAIT).get(0);
        assertThat(entry.error()).contains("dropped");
        assertThat(entry.grpcStatus()).isNull();
    }

    @Test
    void injectedUpstreamUnavailableCountsAsABackendFailureForTheBreaker() throws Exception {
        proxy.inject(FaultRule.builder(ErrorResponse.grpc(14, "backend says no")).path(UNARY).target(Target.UPSTREAM).build());

        assertThat(codeOf(() -> stub().unaryRpc(request("1")))).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(codeOf(() -> stub().unaryRpc(request("2")))).isEqualTo(Status.Code.UNAVAILABLE);

        List<JournalEntry> calls = proxy.journal().await(JournalQuery.ALL, 2, WAIT);
        assertThat(calls).extracting(JournalEntry::grpcStatus).containsExactly(14, 14);
        assertThat(calls).allSatisfy(call -> assertThat(call.attempts()).hasSize(1)); // a POST: never retried by the proxy
        assertThat(proxy.proxies().get(0).backends().get(0).breaker().state()).isEqualTo(BreakerState.OPEN);
        assertThat(backend.calls()).isZero();
    }
}
