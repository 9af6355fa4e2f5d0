package io.chaosproxy.junit.readme;

// The gRPC example of the README ("gRPC"), line for line: it compiles and runs.
import static io.chaosproxy.junit.Faults.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.junit.ChaosProxy;
import io.chaosproxy.junit.example.PriceLookup;   // the service under test: yours goes here
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ChaosProxy.class)
class PriceLookupTest {
    final ChaosProxy proxy;
    Server prices;              // the real gRPC backend
    ManagedChannel channel;
    PriceLookup lookup;

    PriceLookupTest(ChaosProxy proxy) { this.proxy = proxy; }

    @BeforeEach
    void pointTheChannelAtTheProxyAndTheProxyAtTheBackend() throws IOException {
        prices = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new EchoPrices()).build().start();
        proxy.upstream("h2c://127.0.0.1:" + prices.getPort());        // cleartext HTTP/2 to the backend
        channel = Grpc.newChannelBuilderForAddress(proxy.url().getHost(), proxy.url().getPort(),
                InsecureChannelCredentials.create()).build();          // HTTP/2 with prior knowledge to the proxy
        lookup = new PriceLookup(SimpleServiceGrpc.newBlockingStub(channel));
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        prices.shutdownNow();
    }

    @Test
    void unavailablePricesFallBackToTheCachedPrice() {
        proxy.inject(grpcError(14, "prices down").onPath("/grpc.testing.SimpleService/UnaryRpc"));
        assertThat(lookup.price("sku-1")).isEqualTo(PriceLookup.CACHED);
        assertThat(proxy.requests().last().grpcStatus()).isEqualTo(14);    // 14 = UNAVAILABLE
    }

    @Test
    void healthyPricesComeFromTheBackend() {
        assertThat(lookup.price("sku-1")).isEqualTo("price of sku-1");
        assertThat(proxy.requests().last().grpcStatus()).isEqualTo(0);     // 0 = OK, from the backend's trailers
    }

    /** A stand-in prices backend: grpc-java's precompiled test service. */
    static final class EchoPrices extends SimpleServiceGrpc.SimpleServiceImplBase {
        @Override
        public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> answer) {
            answer.onNext(SimpleResponse.newBuilder().setResponseMessage("price of " + request.getRequestMessage()).build());
            answer.onCompleted();
        }
    }
}
