package io.chaosproxy.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the kernel says about this process's sockets: the states a leaked connection shows up in. */
public final class LocalSockets {
    private static final String CLOSE_WAIT = "08";

    private LocalSockets() {}

    /** TCP connections whose local port is {@code port} and that the peer closed but this side has not (CLOSE-WAIT). */
    public static long closeWaitOn(int port) {
        return count(port, CLOSE_WAIT);
    }

    /** File descriptors this JVM has open. */
    public static long openFileDescriptors() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long count(int port, String state) {
        String localPort = String.format(":%04X", port);
        long count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 3 && fields[1].endsWith(localPort) && fields[3].equals(state)) {
                        count++;
                    }
                }
            } catch (IOException e) {
                // no IPv6 table on this machine
            }
        }
        return count;
    }
}
