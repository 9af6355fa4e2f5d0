package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.faults.Hang;
import io.chaosproxy.faults.HangPoint;
import io.chaosproxy.faults.Target;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.io.QuietException;
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
 *   <li>upstream leg: routing, breakers, retries, upstream faults ({@link UpstreamLeg}; a WebSocket
 *       handshake takes {@link WebSocketLeg} instead);</li>
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
        exchange.watchIfItLasts(proxy.core().clientWatchSweep());
        if (!RequestGuard.admit(exchange)) {
            return true;
        }
        long resetsBefore = proxy.core().resets();
        FaultDecision clientFaults = proxy.core().faults().decide(exchange, Target.CLIENT);
        exchange.recordFaults(clientFaults);
        if (clientFaults.delayMs() > 0) {
            exchange.held();
            LatencyWait.start(exchange, clientFaults, clientFaults.delayMs(),
                    () -> applyClientFaults(exchange, clientFaults, resetsBefore), () -> { }, resetsBefore);
        } else {
            applyClientFaults(exchange, clientFaults, resetsBefore);
        }
        return true;
    }

    private void applyClientFaults(Exchange exchange, FaultDecision clientFaults, long resetsBefore) {
        if (exchange.isClientGone()) {
            exchange.giveUp();
            return;
        }
        Fault terminal = clientFaults.terminalFault();
        if (terminal instanceof ErrorResponse error) {
            ClientResponses.injectedError(exchange, error);
        } else if (terminal instanceof Drop drop && drop.when() == DropPoint.BEFORE_RESPONSE) {
            ClientResponses.abort(exchange, drop.mode(), "dropped (" + drop.mode().wireName() + ") before the response");
        } else if (terminal instanceof Hang hang && hang.when() == HangPoint.BEFORE_RESPONSE) {
            hang(exchange, clientFaults, resetsBefore);
        } else {
            forward(exchange, clientFaults);
        }
    }

    /** To the backend: a WebSocket handshake has a leg of its own, everything else is an HTTP exchange. */
    private static void forward(Exchange exchange, FaultDecision clientFaults) {
        if (WebSocketLeg.isRequested(exchange.clientRequest)) {
            new WebSocketLeg(exchange, clientFaults).start();
        } else {
            new UpstreamLeg(exchange, clientFaults).start();
        }
    }

    /**
     * No answer until the rule goes away (removed, or expired by its {@code durationMs}), then the
     * exchange goes on to the backend; or until the client gives up. Nothing waits on a thread
     * (see {@link HangHold}).
     */
    private void hang(Exchange exchange, FaultDecision clientFaults, long resetsBefore) {
        // what else fired (a bandwidth, say) still applies once the hang is over; the delay is spent
        FaultDecision afterHang = new FaultDecision(clientFaults.fired(), 0, clientFaults.bytesPerSecond(), null,
                clientFaults.afterBackendDelayMs());
        exchange.held();
        // off the thread that removed the rule: one removal may release thousands of exchanges
        HangHold hold = proxy.core().holdWhileRuleLasts(clientFaults.terminal(),
                () -> dispatch(exchange, () -> forward(exchange, afterHang)),
                () -> exchange.end(UpstreamAttempt.ENDED_BY_RESET), resetsBefore);
        exchange.onClientGone(() -> {
            if (hold.release()) {
                ClientResponses.abort(exchange, DropMode.CLOSE, "client gave up during a hang");
            }
        });
    }

    /** Runs {@code step} in Jetty's pool, off the thread that triggered it (a rule's removal, the scheduler). */
    static void dispatch(Exchange exchange, Runnable step) {
        try {
            exchange.clientRequest.getComponents().getExecutor().execute(step);
        } catch (RejectedExecutionException e) {
            step.run(); // the server is stopping: finish the step here rather than lose the exchange
        }
    }

    /** Why the client callback fails when the client left first; quiet, as nobody is there to tell. */
    static final class ClientGone extends IOException implements QuietException {
        ClientGone() {
            super("client gone");
        }
    }

    @Override
    public String toString() {
        return "ExchangeHandler[" + proxy.name() + "]";
    }
}
