package io.chaosproxy.proxy.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real PostgreSQL on a free loopback port, from zonky's embedded binaries: a Maven dependency, so
 * no Docker and nothing installed on the machine. It starts as root too (see
 * {@link RootlessPostgresBinaries}). The superuser {@code postgres} logs in to the database
 * {@code postgres} without a password. What initdb, pg_ctl and the server print goes to a log file
 * under {@code target/}, whose end a failed start quotes.
 */
public final class PostgresServer implements AutoCloseable {
    /** Generous: initdb and the first start on a loaded 2-core machine take seconds. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);
    private static final int LOG_LINES_QUOTED = 30;

    private final EmbeddedPostgres postgres;
    private final Duration startedIn;

    private PostgresServer(EmbeddedPostgres postgres, Duration startedIn) {
        this.postgres = postgres;
        this.startedIn = startedIn;
    }

    /** Runs initdb in a fresh data directory and starts the server; fails with the log's end if it cannot. */
    public static PostgresServer start() {
        long start = System.nanoTime();
        Path log;
        Path data;
        try {
            log = Files.createTempFile(Files.createDirectories(Path.of("target")), "postgres-", ".log");
            data = Files.createTempDirectory("chaos-proxy-pg-"); // outside target/: postgres must own it
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setPgBinaryResolver(RootlessPostgresBinaries.INSTANCE)
                    .setDataDirectory(data) // deleted on close
                    .setLocaleConfig("locale", "C") // not the environment's LANG, which may name a locale not installed
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", "off") // a throwaway database
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setPGStartupWait(STARTUP_WAIT)
                    .start();
            Duration startedIn = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("PostgreSQL on 127.0.0.1:%d started in %d ms (log: %s)%n", postgres.getPort(), startedIn.toMillis(), log);
            return new PostgresServer(postgres, startedIn);
        } catch (IOException | RuntimeException | Error e) { // zonky wraps a failed resolver in an Error
            TempFolders.deleteQuietly(data);
            throw new IllegalStateException("PostgreSQL (zonky's embedded binaries) did not start: " + e
                    + "\nThe end of " + log.toAbsolutePath() + ":\n" + tail(log)
                    + "\n(As root, initdb, pg_ctl and postgres run in a user namespace, `unshare -U`: a container that forbids"
                    + " those cannot run them.)", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** From {@link #start()} until the server answered a query: re-pack, extraction, initdb and start. */
    public Duration startedIn() {
        return startedIn;
    }

    @Override
    public void close() {
        try {
            postgres.close(); // pg_ctl stop -m fast, then the data directory goes
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_QUOTED), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
