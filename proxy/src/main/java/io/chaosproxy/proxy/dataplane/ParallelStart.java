package io.chaosproxy.proxy.dataplane;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The part of a data plane's start that does not need Jetty, done on a second CPU while the
 * starting thread sets Jetty up. Most of a cold start is loading and initialising classes one after
 * another: OkHttp, Kotlin and the JVM's security providers on one side, SLF4J and Jetty on the
 * other, each a few hundred milliseconds in a fresh test JVM. Tasks run in the order given, on one
 * daemon thread that ends after the last (or after a second with nothing to do); with a single CPU
 * they run on the calling thread instead, and tasks that only save time later ({@link #meanwhile})
 * are skipped.
 */
final class ParallelStart {
    /** How long the thread waits for the next task (the warm-up comes with start()) before it ends. */
    private static final Duration IDLE = Duration.ofSeconds(1);

    private final ThreadPoolExecutor thread; // null with one CPU
    private volatile boolean cancelled;

    ParallelStart() {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            this.thread = null; // a second thread could only take time from the first
            return;
        }
        this.thread = new ThreadPoolExecutor(1, 1, IDLE.toMillis(), TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread started = new Thread(runnable, "chaos-proxy-start");
            started.setDaemon(true);
            return started;
        });
        // a data plane built and never started (or never stopped) must not keep a thread for it
        thread.allowCoreThreadTimeOut(true);
    }

    /** Starts making a value; its {@code get()} waits for it, and throws what making it threw. */
    <T> Supplier<T> supply(Supplier<T> make) {
        if (thread == null) {
            T made = make.get();
            return () -> made;
        }
        FutureTask<T> task = new FutureTask<>(make::get);
        thread.execute(task);
        return () -> await(task);
    }

    /**
     * Runs {@code work} after what was given before, if there is a second CPU; nothing waits for it
     * and nothing it throws is seen: it only moves work that would otherwise come later.
     */
    void meanwhile(Runnable work) {
        if (thread != null) {
            thread.execute(() -> {
                if (cancelled) {
                    return;
                }
                try {
                    work.run();
                } catch (RuntimeException e) {
                    // nothing lost but the time it was meant to save
                }
            });
        }
    }

    /** No more tasks: the thread ends once it has run the ones given. */
    void done() {
        if (thread != null) {
            thread.shutdown();
        }
    }

    /**
     * Skips the {@link #meanwhile} tasks not begun, for a data plane stopped while starting; values
     * being made are still made, as the stop itself needs them to close.
     */
    void cancel() {
        cancelled = true;
        done();
    }

    private static <T> T await(Future<T> task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the value is needed all the same; keep the interrupt for the caller
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
