package io.chaosproxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port where connecting is refused at once, for the whole test run.
 *
 * <p>The port is held by a socket that is bound but never listens. Linux answers a connect to such
 * a port with a reset. The port is also never free. A port taken with {@code new ServerSocket(0)}
 * and closed again is free: the kernel may give it to another test's server. Or it may give it to
 * the proxy's own outgoing connection to that port, which then connects to itself (a TCP
 * simultaneous open), and the "dead" backend appears to accept and never answers.
 */
public final class DeadPort {
    private static final Socket HOLDER = bound();

    private DeadPort() {}

    public static int port() {
        return HOLDER.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT/}: a backend that refuses every connection. */
    public static String url() {
        return "http://127.0.0.1:" + port() + "/";
    }

    private static Socket bound() {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)); // the address url() names
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a loopback port", e);
        }
        return socket; // open until the JVM exits: the port stays taken
    }
}
