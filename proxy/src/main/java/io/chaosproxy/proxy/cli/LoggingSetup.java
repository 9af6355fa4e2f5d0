package io.chaosproxy.proxy.cli;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * SLF4J's one-time setup: finding its binding and reading {@code simplelogger.properties}, whose
 * date format loads the JVM's locale data (25-45 ms of the main thread's CPU in a standalone start
 * with the launcher's archive, measured before the launcher chose the smaller locale data). The
 * warm-up thread does it first, while the main thread parses the command line; the main thread
 * waits for it before anything logs, since SLF4J set up on two threads at once hands the second a
 * substitute logger and prints a three-line "replay" warning.
 */
final class LoggingSetup {
    private static final FutureTask<Void> SETUP = new FutureTask<>(() -> {
        org.slf4j.LoggerFactory.getILoggerFactory();
        return null;
    });

    private LoggingSetup() {}

    /** Sets logging up on this thread, or waits while another thread does. */
    static void await() {
        SETUP.run(); // returns at once when another thread has begun it
        try {
            SETUP.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while logging was being set up", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("logging could not be set up: " + e.getCause(), e.getCause());
        }
    }
}
