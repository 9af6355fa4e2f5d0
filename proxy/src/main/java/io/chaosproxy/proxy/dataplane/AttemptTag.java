package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.proxy.dataplane.transport.ClientConnections;

/**
 * Rides on each upstream OkHttp request (as its tag) so the interceptors know what the client
 * originally sent and which upstream faults this attempt suffers, and so the response relay can see
 * how much of the answer has {@link ArrivedBytes arrived}. {@code http1Upload}: an HTTP/1.1 client's
 * body that is not a gRPC call's, which an answer must not leave half read (see
 * {@link UpstreamFaultInterceptor}).
 */
record AttemptTag(boolean clientSentAcceptEncoding, boolean clientSentUserAgent, FaultDecision upstreamFaults,
                  ArrivedBytes arrived, boolean http1Upload) {

    /** The tag of one attempt of {@code exchange} suffering {@code upstreamFaults}. */
    static AttemptTag of(Exchange exchange, FaultDecision upstreamFaults) {
        var client = exchange.clientRequest;
        return new AttemptTag(client.getHeaders().contains("Accept-Encoding"), client.getHeaders().contains("User-Agent"),
                upstreamFaults, new ArrivedBytes(),
                !ClientConnections.isMultiplexed(client) && !GrpcCalls.isCall(client));
    }
}
