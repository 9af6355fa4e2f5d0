package io.chaosproxy.junit;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropMode;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.Fault;

/**
 * Drop: the proxy cuts the client's connection before the response (the default), after the
 * headers, mid-body after a number of body bytes, or after the backend answered, with a TCP RST
 * (the default) or a FIN.
 */
public final class DropFault extends DirectedFaultSpec<DropFault> {
    private final DropPoint when;
    private final long afterBytes;
    private final DropMode mode;

    DropFault(Common common, DropPoint when, long afterBytes, DropMode mode) {
        super(common);
        this.when = when;
        this.afterBytes = afterBytes;
        this.mode = mode;
    }

    /** Cuts before any response byte (the default): the client sees no status at all. */
    public DropFault beforeResponse() {
        return new DropFault(common(), DropPoint.BEFORE_RESPONSE, 0, mode);
    }

    /** Cuts after the status line and headers, before the body. */
    public DropFault afterHeaders() {
        return new DropFault(common(), DropPoint.AFTER_HEADERS, 0, mode);
    }

    /** Cuts after {@code bytes} bytes of the response body. */
    public DropFault midBody(long bytes) {
        return new DropFault(common(), DropPoint.MID_BODY, bytes, mode);
    }

    /** TCP proxies: cuts each new connection as soon as it is accepted, before any byte flows (the TCP default). */
    public DropFault atConnect() {
        return new DropFault(common(), DropPoint.CONNECT, 0, mode);
    }

    /**
     * TCP proxies: cuts the connection once {@code bytes} bytes have gone from the backend to the
     * client (counted from when the rule first meets the connection).
     */
    public DropFault afterBytes(long bytes) {
        return new DropFault(common(), DropPoint.AFTER_BYTES, bytes, mode);
    }

    /**
     * Cuts after the backend has answered: the request was handled (a payment taken, a row written),
     * but the client only sees its connection fail, and may retry.
     */
    public DropFault afterBackend() {
        return new DropFault(common(), DropPoint.AFTER_BACKEND, 0, mode);
    }

    /** Ends the connection with a TCP RST (the default): "connection reset by peer". */
    public DropFault reset() {
        return new DropFault(common(), when, afterBytes, DropMode.RESET);
    }

    /** Ends the connection with a FIN: the client sees the connection closed early. */
    public DropFault close() {
        return new DropFault(common(), when, afterBytes, DropMode.CLOSE);
    }

    @Override
    DropFault with(Common common) {
        return new DropFault(common, when, afterBytes, mode);
    }

    @Override
    Fault fault() {
        return new Drop(when, afterBytes, mode, direction());
    }
}
