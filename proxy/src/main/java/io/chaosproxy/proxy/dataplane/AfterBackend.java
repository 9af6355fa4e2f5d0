package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.FaultDecision;
import okhttp3.Response;

/**
 * The point where the backend has answered and the answer has not yet gone to the client: an
 * after-backend latency holds it there for its {@code delayMs} (a scheduled task, no thread waits),
 * an after-backend drop cuts the client's connection there, and otherwise it goes on to the
 * {@link ResponseRelay}. The backend did its work either way: what a client that times out or
 * loses its connection, and then retries, must be ready for.
 */
final class AfterBackend {
    private final Exchange exchange;
    private final Response serverToProxyResponse;
    private final FaultDecision clientFaults;
    private final FaultDecision upstreamFaults;

    private AfterBackend(Exchange exchange, Response serverToProxyResponse, FaultDecision clientFaults,
                         FaultDecision upstreamFaults) {
        this.exchange = exchange;
        this.serverToProxyResponse = serverToProxyResponse;
        this.clientFaults = clientFaults;
        this.upstreamFaults = upstreamFaults;
    }

    /** Hands the backend's final answer on to the client, through the after-backend faults that fired. */
    static void relay(Exchange exchange, Response serverToProxyResponse, FaultDecision clientFaults,
                      FaultDecision upstreamFaults) {
        AfterBackend point = new AfterBackend(exchange, serverToProxyResponse, clientFaults, upstreamFaults);
        long holdMs = clientFaults.afterBackendDelayMs();
        if (holdMs > 0) {
            point.holdFor(holdMs);
        } else {
            point.handOn();
        }
    }

    private void holdFor(long holdMs) {
        exchange.watchClient();
        // the relay reads the backend and may block: never on the one scheduler thread; nor is the
        // backend's answer closed on the thread that noticed the client leave (maybe Jetty's selector)
        LatencyWait.start(exchange, clientFaults, holdMs, () -> ExchangeHandler.dispatch(exchange, this::handOn),
                () -> ExchangeHandler.dispatch(exchange, serverToProxyResponse::close));
    }

    private void handOn() {
        if (exchange.isClientGone()) {
            serverToProxyResponse.close();
            exchange.giveUp();
            return;
        }
        Drop drop = ResponseFaults.dropAfterHeaders(clientFaults, upstreamFaults);
        if (drop != null && drop.when() == DropPoint.AFTER_BACKEND) {
            int status = serverToProxyResponse.code();
            serverToProxyResponse.close();
            ClientResponses.abort(exchange, drop.mode(),
                    "dropped (" + drop.mode().wireName() + ") after the backend answered " + status);
            return;
        }
        new ResponseRelay(exchange, serverToProxyResponse, ResponseFaults.bandwidth(clientFaults, upstreamFaults),
                drop, ResponseFaults.midBodyHang(clientFaults, upstreamFaults)).start();
    }
}
