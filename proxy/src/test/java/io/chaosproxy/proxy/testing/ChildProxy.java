package io.chaosproxy.proxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The standalone proxy in its own JVM, as a user runs it: same main class, real signals, its own
 * heap limit. Ports come from {@code --port-file}, so nothing depends on a fixed port.
 */
public final class ChildProxy implements AutoCloseable {
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);

    private final Process process;
    private final Path dir;
    private final Path output;
    private final JsonNode ports;

    private ChildProxy(Process process, Path dir, Path output, JsonNode ports) {
        this.process = process;
        this.dir = dir;
        this.output = output;
        this.ports = ports;
    }

    /** Starts {@code java [jvmArgs] Main [args] --port-file ...} and waits until it is ready. */
    public static ChildProxy start(List<String> jvmArgs, List<String> args) throws Exception {
        Path dir = Files.createTempDirectory("chaos-proxy-child");
        Path portFile = dir.resolve("ports.json");
        Path output = dir.resolve("output.txt");
        Process process = null;
        try {
            process = command(jvmArgs, args, List.of("--port-file", portFile.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            awaitPortFile(process, portFile, output);
            return new ChildProxy(process, dir, output, new ObjectMapper().readTree(portFile.toFile()));
        } catch (Exception | Error notReady) {
            try {
                if (process != null) {
                    kill(process);
                }
            } catch (RuntimeException alsoFailed) {
                notReady.addSuppressed(alsoFailed); // why it was not ready matters more
            }
            TempFolders.deleteQuietly(dir);
            throw notReady;
        }
    }

    /**
     * Waits for the port file to appear (the child moves it into place, so it appears whole), woken
     * by the file system's event, or by the child's exit, which closes the watch.
     */
    private static void awaitPortFile(Process process, Path portFile, Path output) throws Exception {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        try (WatchService watch = portFile.getFileSystem().newWatchService()) {
            portFile.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            process.onExit().thenRun(() -> closeQuietly(watch));
            while (!Files.exists(portFile)) {
                WatchKey key;
                try {
                    key = watch.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (ClosedWatchServiceException exited) {
                    process.waitFor();
                    throw new IllegalStateException("proxy exited with " + process.exitValue() + ": " + Files.readString(output));
                }
                if (key == null) {
                    process.destroyForcibly();
                    throw new IllegalStateException("proxy not ready within " + READY_WITHIN + ": " + Files.readString(output));
                }
                key.pollEvents();
                key.reset();
            }
        }
    }

    private static void closeQuietly(WatchService watch) {
        try {
            watch.close();
        } catch (IOException e) {
            // closing only wakes the wait
        }
    }

    /** Runs the CLI to completion (for bad options and start failures) and returns exit code and output. */
    public static Result run(List<String> args, Duration timeout) throws Exception {
        Path output = Files.createTempFile("chaos-proxy-cli", ".txt");
        try {
            Process process = command(List.of(), args, List.of()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("CLI did not exit within " + timeout + ": " + Files.readString(output));
            }
            return new Result(process.exitValue(), Files.readString(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static ProcessBuilder command(List<String> jvmArgs, List<String> args, List<String> extra) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.chaosproxy.proxy.cli.Main");
        command.addAll(args);
        command.addAll(extra);
        return new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")));
    }

    public URI proxyUrl() {
        return URI.create("http://127.0.0.1:" + ports.get("proxies").get("default").asInt() + "/");
    }

    /** The port of a named proxy, as the port file lists it (HTTP or TCP). */
    public int port(String proxyName) {
        return ports.get("proxies").get(proxyName).asInt();
    }

    public URI controlUrl() {
        return URI.create("http://127.0.0.1:" + ports.get("control").asInt() + "/");
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public String output() throws IOException {
        return Files.readString(output);
    }

    /** Sends SIGTERM and waits for the exit code. */
    public int terminate(Duration timeout) throws Exception {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("proxy did not stop within " + timeout + " after SIGTERM");
        }
        return process.exitValue();
    }

    /** Kills the child if it still runs and removes its folder (port file and output); again is a no-op. */
    @Override
    public void close() {
        kill(process);
        TempFolders.deleteQuietly(dir);
    }

    /** SIGKILL, then waits for the exit: only then is its output file closed. */
    private static void kill(Process process) {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("proxy " + process.pid() + " did not exit within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public record Result(int exitCode, String output) {}
}
