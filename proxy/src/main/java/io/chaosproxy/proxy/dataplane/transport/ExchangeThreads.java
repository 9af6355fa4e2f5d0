package io.chaosproxy.proxy.dataplane.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The threads exchanges run on: virtual threads on Java 21 and later, platform threads on Java 17.
 *
 * <p>One jar serves both. On a virtual thread, a call that waits for its backend costs a few hundred
 * bytes instead of a platform thread's stack, so the data plane can block in OkHttp (its cheapest
 * path: no hand-off to a dispatcher and back) for every exchange instead of only while a bounded
 * pool has threads to spare. Jetty keeps its selectors on platform threads and runs each blocking
 * handler on a new virtual thread once its pool is given a virtual-threads executor.
 *
 * <p>{@code -Dchaosproxy.threads=platform} keeps platform threads on a modern JVM (for comparing the
 * two, or should a library misbehave on virtual threads).
 */
public final class ExchangeThreads {
    /** Jetty's own threads (selectors, and every handler on Java 17); enough for hundreds of blocked exchanges. */
    private static final int MAX_PLATFORM_THREADS = 400;
    private static final int MIN_PLATFORM_THREADS = 8;
    private static final boolean VIRTUAL = VirtualThreads.areSupported()
            && !"platform".equalsIgnoreCase(System.getProperty("chaosproxy.threads"));

    private ExchangeThreads() {
    }

    /** True when exchanges run on virtual threads (Java 21+ unless turned off). */
    public static boolean virtual() {
        return VIRTUAL;
    }

    /** The Jetty server's pool: platform threads, with blocking handlers moved to virtual threads when available. */
    public static QueuedThreadPool newServerPool() {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_PLATFORM_THREADS, MIN_PLATFORM_THREADS);
        threads.setName("chaos-proxy-dataplane");
        threads.setDaemon(true);
        if (VIRTUAL) {
            threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("chaos-proxy-exchange"));
        }
        return threads;
    }

    /**
     * An unbounded executor for OkHttp's dispatcher and for WebSocket readers: one virtual thread per
     * task when available, else cached daemon platform threads that end after a minute idle.
     */
    public static ExecutorService newUpstreamExecutor() {
        if (VIRTUAL) {
            return virtualThreadPerTask("chaos-proxy-upstream-");
        }
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "chaos-proxy-upstream-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
    }

    /** Java 21's {@code Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(prefix, 1).factory())}, reached reflectively: the build targets 17. */
    private static ExecutorService virtualThreadPerTask(String namePrefix) {
        try {
            var lookup = MethodHandles.publicLookup();
            Class<?> builderClass = Class.forName("java.lang.Thread$Builder");
            Class<?> virtualBuilderClass = Class.forName("java.lang.Thread$Builder$OfVirtual");
            Object builder = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(virtualBuilderClass)).invoke();
            builder = lookup.findVirtual(virtualBuilderClass, "name", MethodType.methodType(virtualBuilderClass, String.class, long.class))
                    .invoke(builder, namePrefix, 1L);
            ThreadFactory factory = (ThreadFactory) lookup.findVirtual(builderClass, "factory", MethodType.methodType(ThreadFactory.class))
                    .invoke(builder);
            return (ExecutorService) lookup.findStatic(java.util.concurrent.Executors.class, "newThreadPerTaskExecutor",
                    MethodType.methodType(ExecutorService.class, ThreadFactory.class)).invoke(factory);
        } catch (Throwable e) {
            throw new IllegalStateException("virtual threads are reported as supported but could not be created", e);
        }
    }
}
