package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultDecision;

/**
 * Rides on each upstream OkHttp request (as its tag) so the interceptors know what the client
 * originally sent and which upstream faults this attempt suffers, and so the response relay can see
 * how much of the answer has {@link ArrivedBytes arrived}.
 */
record AttemptTag(boolean clientSentAcceptEncoding, boolean clientSentUserAgent, FaultDecision upstreamFaults,
                  ArrivedBytes arrived) {

    /** The tag of one attempt of {@code exchange} suffering {@code upstreamFaults}. */
    static AttemptTag of(Exchange exchange, FaultDecision upstreamFaults) {
        return new AttemptTag(exchange.clientRequest.getHeaders().contains("Accept-Encoding"),
                exchange.clientRequest.getHeaders().contains("User-Agent"), upstreamFaults, new ArrivedBytes());
    }
}
