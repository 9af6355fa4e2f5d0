package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.Target;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The client leg of every exchange on one proxy listener. The whole pipeline, in order:
 * <ol>
 *   <li>tracing: request id and trace context (in {@link Exchange});</li>
 *   <li>guard: refuse open-proxy use, answer Max-Forwards 0 ({@link RequestGuard});</li>
 *   <li>client faults: latency scheduled, then error, drop or hang ({@link #applyClientFaults});</li>
 *   <li>upstream leg: routing, breakers, retries, upstream faults ({@link UpstreamLeg});</li>
 *   <li>response relay: streaming, bandwidth and mid-body drops ({@link ResponseRelay}).</li>
 * </ol>
 * Each step hands on to the next without waiting on a thread.
 */
final class ExchangeHandler extends Handler.Abstract {
    private final ProxyRuntime proxy;

    ExchangeHandler(ProxyRuntime proxy) {
        this.proxy = proxy;
    }

    @Override
    public boolean handle(Request clientRequest, Response proxyToClientResponse, Callback callback) {
        Exchange exchange = new Exchange(proxy, clientRequest, proxyToClientResponse, callback);
        clientRequest.addFailureListener(exchange::clientFailed);
        if (!RequestGuard.admit(exchange)) {
            return true;
        }
        FaultDecision clientFaults = proxy.core().faults().decide(exchange, Target.CLIENT);
        exchange.recordFaults(clientFaults);
        if (clientFaults.delayMs() > 0) {
            proxy.core().scheduler().schedule(() -> applyClientFaults(exchange, clientFaults),
                    clientFaults.delayMs(), TimeUnit.MILLISECONDS);
        } else {
            applyClientFaults(exchange, clientFaults);
        }
        return true;
    }

    private void applyClientFaults(Exchange exchange, FaultDecision clientFaults) {
        if (exchange.isClientGone()) {
            exchange.clientCallback.failed(new java.io.IOException("client gone"));
            exchange.complete(null, "client gave up");
            return;
        }
        Fault terminal = clientFaults.terminalFault();
        if (terminal instanceof ErrorResponse error) {
            ClientResponses.injectedError(exchange, error);
        } else if (terminal instanceof Drop drop && drop.when() == DropPoint.BEFORE_RESPONSE) {
            ClientResponses.abort(exchange, drop.mode(), "dropped (" + drop.mode().name().toLowerCase() + ") before the response");
        } else if (terminal instanceof Hang) {
            hang(exchange, clientFaults);
        } else {
            new UpstreamLeg(exchange, clientFaults).start();
        }
    }

    /** No answer until the rule is removed (then the exchange goes on) or the client gives up. */
    private void hang(Exchange exchange, FaultDecision clientFaults) {
        String ruleId = clientFaults.terminal().id();
        AtomicBoolean settled = new AtomicBoolean();
        Runnable unpark = proxy.core().hangs().park(ruleId, () -> {
            if (settled.compareAndSet(false, true)) {
                new UpstreamLeg(exchange, FaultDecision.NONE).start();
            }
        });
        exchange.onClientGone(() -> {
            if (settled.compareAndSet(false, true)) {
                unpark.run();
                ClientResponses.abort(exchange, io.chaosproxy.faults.DropMode.CLOSE, "client gave up during a hang");
            }
        });
        if (proxy.core().faults().find(ruleId).isEmpty() && settled.compareAndSet(false, true)) {
            // removed while we parked: nothing will wake us, so go on now
            unpark.run();
            new UpstreamLeg(exchange, FaultDecision.NONE).start();
        }
    }

    @Override
    public String toString() {
        return "ExchangeHandler[" + proxy.name() + "]";
    }
}
