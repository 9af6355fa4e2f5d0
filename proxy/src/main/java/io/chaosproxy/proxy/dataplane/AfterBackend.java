package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.FaultDecision;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final AtomicBoolean settled = new AtomicBoolean();

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
        ScheduledFuture<?> timer = exchange.proxy.core().scheduler().schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                // the relay reads the backend and may block: never on the one scheduler thread
                ExchangeHandler.dispatch(exchange, this::handOn);
            }
        }, holdMs, TimeUnit.MILLISECONDS);
        exchange.onClientGone(() -> {
            if (settled.compareAndSet(false, true)) {
                timer.cancel(false);
                // off the thread that noticed (maybe Jetty's selector): closing a response may block
                ExchangeHandler.dispatch(exchange, this::clientGaveUp);
            }
        });
    }

    private void handOn() {
        if (exchange.isClientGone()) {
            clientGaveUp();
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

    /** The client left while the answer was held: the backend's answer goes nowhere, as with a real slow network. */
    private void clientGaveUp() {
        serverToProxyResponse.close();
        exchange.clientCallback.failed(new ExchangeHandler.ClientGone());
        exchange.complete(null, "client gave up while the backend's answer was held");
    }
}
