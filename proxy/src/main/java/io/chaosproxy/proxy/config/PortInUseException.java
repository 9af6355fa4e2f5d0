package io.chaosproxy.proxy.config;

import java.io.IOException;

/** A listener could not bind: the message names the address, for a one-line error at start. */
public final class PortInUseException extends IOException {
    public PortInUseException(String what, String address, Throwable cause) {
        super(what + " cannot listen on " + address + ": the port is in use or not available (" + cause.getMessage() + ")", cause);
    }
}
