package io.chaosproxy.junit.example;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleServiceGrpc.SimpleServiceBlockingStub;
import java.util.concurrent.TimeUnit;

/**
 * A service under test for the README's gRPC example: it asks a prices backend over gRPC and falls
 * back to a cached price when the backend is UNAVAILABLE.
 */
public final class PriceLookup {
    public static final String CACHED = "cached price";

    private final SimpleServiceBlockingStub prices;

    public PriceLookup(SimpleServiceBlockingStub prices) {
        this.prices = prices;
    }

    public String price(String sku) {
        try {
            return prices.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .unaryRpc(SimpleRequest.newBuilder().setRequestMessage(sku).build())
                    .getResponseMessage();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                return CACHED;
            }
            throw e;
        }
    }
}
