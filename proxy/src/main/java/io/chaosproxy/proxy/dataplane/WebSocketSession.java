package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.proxy.dataplane.transport.ClientConnections;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.WebSocket;
import okio.Buffer;
import okio.ByteString;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * One proxied WebSocket conversation, once both handshakes are done: messages flow both ways, and
 * the faults that fired on the handshake act on them.
 *
 * <p>The backend's messages play the part of an HTTP response body: a latency fault delays each
 * of them, a bandwidth fault paces them, and a mid-body drop cuts the client's connection once that
 * many payload bytes have reached it ({@link MessagePacer} keeps them in order). The client's
 * messages go to the backend as they come. Each way, a side that reads slowly slows the other
 * down (at most {@link #IN_FLIGHT_LIMIT} between them), as it would without the proxy.
 *
 * <p>Ping and pong are per hop, as RFC 6455 lets an intermediary do: the proxy answers the client's
 * pings, and OkHttp answers the backend's. Close codes and reasons pass through both ways. A leg
 * that breaks without a close breaks the other one the same way, so neither side mistakes a failure
 * for a clean end.
 */
final class WebSocketSession implements FrameHandler {
    /**
     * Messages up to OkHttp's own outgoing limit (16 MiB queued) less what flow control may leave
     * in that queue; Jetty's default (64 KiB) would cut real traffic.
     */
    private static final long MAX_MESSAGE_BYTES = 15L * 1024 * 1024;
    /**
     * Flow control, each way: at most this much on its way to a side that reads slowly. Beyond it
     * the proxy stops reading the other side, so TCP slows the sender down, as without a proxy.
     * (OkHttp would fail a session whose send queue passes 16 MiB; memory stays flat too.)
     */
    private static final long IN_FLIGHT_LIMIT = 1024 * 1024;
    /** How often a client paused for a slow backend looks whether the backend caught up: soon, then less often. */
    private static final long FIRST_CATCH_UP_POLL_MILLIS = 5;
    private static final long MAX_CATCH_UP_POLL_MILLIS = 100;

    private final Exchange exchange;
    private final WebSocket backend;
    private final Drop drop; // after-headers or mid-body drop, or null
    private final MessagePacer toClient;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final Buffer partial = new Buffer(); // a fragmented client message, until its last frame
    private byte partialType = OpCode.UNDEFINED;
    private volatile CoreSession client;
    private long deliveredBytes;
    private long inFlightToClient; // guarded by this: accepted from the backend, not yet written to the client
    private volatile String failure; // what the journal says went wrong, if anything
    private volatile boolean dropped;
    private boolean cutting; // a mid-body drop is on its way: nothing more goes to the client

    WebSocketSession(Exchange exchange, WebSocket backend, FaultDecision clientFaults, FaultDecision upstreamFaults) {
        this.exchange = exchange;
        this.backend = backend;
        this.drop = ResponseFaults.dropAfterHeaders(clientFaults, upstreamFaults);
        this.toClient = new MessagePacer(exchange.proxy.core().scheduler(),
                // an after-backend latency holds what the backend says, as it holds an HTTP answer
                clientFaults.delayMs() + clientFaults.afterBackendDelayMs() + upstreamFaults.delayMs(),
                ResponseFaults.bandwidth(clientFaults, upstreamFaults));
    }

    /** The client's side of the session: big messages, and no idle limit of the proxy's own. */
    static void configure(Configuration.ConfigurationCustomizer clientSide) {
        clientSide.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
        clientSide.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
        clientSide.setMaxFrameSize(MAX_MESSAGE_BYTES);
        clientSide.setIdleTimeout(Duration.ZERO); // client and backend decide when a quiet session ends
    }

    // ---- the client's side (Jetty) ----

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
        client = coreSession;
        callback.succeeded();
        if (drop != null && (drop.when() == DropPoint.AFTER_HEADERS || drop.afterBytes() == 0)) {
            dropClient();
            return;
        }
        toClient.open();
        coreSession.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        switch (frame.getOpCode()) {
            case OpCode.TEXT, OpCode.BINARY -> {
                partialType = frame.getOpCode();
                collect(frame, callback);
            }
            case OpCode.CONTINUATION -> collect(frame, callback);
            case OpCode.PING -> client.sendFrame(new Frame(OpCode.PONG, true, copy(frame.getPayload())),
                    Callback.from(() -> {
                        callback.succeeded();
                        client.demand();
                    }, callback::failed), false);
            case OpCode.PONG -> {
                callback.succeeded();
                client.demand();
            }
            case OpCode.CLOSE -> {
                CloseStatus status = CloseStatus.getCloseStatus(frame);
                backend.close(sendableCode(status == null ? CloseStatus.NO_CODE : status.getCode()),
                        status == null ? null : status.getReason());
                callback.succeeded(); // Jetty answers the client's close
            }
            default -> callback.failed(new IOException("unexpected WebSocket opcode " + frame.getOpCode()));
        }
    }

    private void collect(Frame frame, Callback callback) {
        if (frame.hasPayload()) {
            ByteBuffer payload = frame.getPayload();
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            partial.write(bytes);
        }
        if (frame.isFin()) {
            ByteString message = partial.readByteString();
            boolean accepted = partialType == OpCode.TEXT ? backend.send(message.utf8()) : backend.send(message);
            partialType = OpCode.UNDEFINED;
            if (!accepted) {
                failure = "backend closed while the client was sending";
            }
        }
        callback.succeeded();
        demandWhenBackendKeepsUp(FIRST_CATCH_UP_POLL_MILLIS);
    }

    /** Reads the client's next frame only once OkHttp's queue to the backend is short again; checked on the scheduler, never waited for. */
    private void demandWhenBackendKeepsUp(long pollMillis) {
        if (finished.get()) {
            return;
        }
        if (backend.queueSize() <= IN_FLIGHT_LIMIT) {
            client.demand();
        } else {
            long next = Math.min(MAX_CATCH_UP_POLL_MILLIS, pollMillis * 2);
            exchange.proxy.core().scheduler().schedule(() -> demandWhenBackendKeepsUp(next), pollMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        if (failure == null) {
            failure = "client side: " + cause.getMessage();
        }
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        toClient.stop();
        if (closeStatus.getCode() == CloseStatus.NO_CLOSE) {
            backend.cancel(); // the client vanished without a close: so does the proxy, to the backend
        } else {
            backend.close(sendableCode(closeStatus.getCode()), closeStatus.getReason());
        }
        finish();
        callback.succeeded();
    }

    // ---- the backend's side (OkHttp, through the leg's listener) ----

    void fromBackend(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        awaitRoomTowardsClient(utf8.length);
        toClient.submit(utf8.length, () -> deliver(OpCode.TEXT, ByteBuffer.wrap(utf8)));
    }

    void fromBackend(ByteString bytes) {
        awaitRoomTowardsClient(bytes.size());
        toClient.submit(bytes.size(), () -> deliver(OpCode.BINARY, bytes.asByteBuffer()));
    }

    /**
     * Holds OkHttp's reader of this backend connection (a thread of its own, not a request thread)
     * while the client is behind: the backend then meets TCP backpressure, as it would without the
     * proxy. A message bigger than the limit goes alone.
     */
    private synchronized void awaitRoomTowardsClient(long bytes) {
        while (inFlightToClient > 0 && inFlightToClient + bytes > IN_FLIGHT_LIMIT && !finished.get()) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // OkHttp is shutting down: let the message through
                break;
            }
        }
        inFlightToClient += bytes;
    }

    private synchronized void written(long bytes) {
        inFlightToClient -= bytes;
        notifyAll();
    }

    /** The backend's close goes to the client; the client's answer, when it comes, goes back (see {@link #onFrame}). */
    void backendClosing(int code, String reason) {
        if (finished.get()) {
            backend.close(sendableCode(code), null); // the client is gone already: answer for it
            return;
        }
        toClient.submit(0, () -> {
            CoreSession open = client;
            if (open != null) {
                open.close(code, reason, Callback.NOOP);
            }
        });
    }

    void backendClosed() {
        // nothing to do: the client's close (or its answer to ours) ends the session
    }

    /** The backend's connection broke mid-session: the client's breaks too, after what was already on its way. */
    void backendFailed(Throwable cause) {
        toClient.submit(0, () -> {
            failure = "backend failed: " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
            CoreSession open = client;
            if (open != null) {
                open.abort();
            }
        });
    }

    /** A handshake that could not be completed on the client side: let the backend go (the caller answers the client). */
    void abandon(String why) {
        failure = why;
        toClient.stop();
        backend.cancel();
    }

    /** The 101 never reached the client: no session will open or close, so let the backend go and journal it here. */
    void clientNeverOpened(String why) {
        abandon(why);
        dropped = true; // no status reached the client
        finish();
    }

    private void deliver(byte opcode, ByteBuffer payload) {
        CoreSession open = client;
        if (open == null || cutting) {
            return;
        }
        long bytes = payload.remaining();
        if (drop != null && drop.when() == DropPoint.MID_BODY && deliveredBytes + bytes >= drop.afterBytes()) {
            // exactly afterBytes reach the client (the end of a message, or a fragment of it), then the cut
            cutting = true;
            int upToCut = (int) (drop.afterBytes() - deliveredBytes);
            ByteBuffer head = payload.duplicate();
            head.limit(head.position() + upToCut);
            deliveredBytes += upToCut;
            open.sendFrame(new Frame(opcode, upToCut == bytes, head), Callback.from(this::dropClient, failed -> dropClient()), false);
            return;
        }
        deliveredBytes += bytes;
        open.sendFrame(new Frame(opcode, true, payload), Callback.from(() -> written(bytes), failed -> written(bytes)), false);
    }

    /** The drop fault: the client's TCP connection ends (RST or FIN) without a close frame. */
    private void dropClient() {
        failure = "dropped (" + drop.mode().wireName() + ") after " + deliveredBytes + " message bytes";
        dropped = true;
        toClient.stop();
        ClientConnections.closeConnection(exchange.clientRequest, drop.mode() == DropMode.RESET);
        backend.cancel();
        finish();
    }

    /** Journals the session once, when the client's side of it is over; as for HTTP, a drop has no status. */
    private void finish() {
        if (finished.compareAndSet(false, true)) {
            synchronized (this) {
                notifyAll(); // a backend reader waiting for room: there is no client any more
            }
            exchange.complete(dropped ? null : 101, failure);
        }
    }

    /** A close code OkHttp will send: the ones that never go on the wire become 1000. */
    private static int sendableCode(int code) {
        boolean reserved = code < 1000 || code >= 5000 || (code >= 1004 && code <= 1006) || (code >= 1015 && code <= 2999);
        return reserved ? 1000 : code;
    }

    private static ByteBuffer copy(ByteBuffer payload) {
        if (payload == null) {
            return ByteBuffer.allocate(0);
        }
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
        copy.put(payload.duplicate()).flip();
        return copy;
    }
}
