package io.chaosproxy.proxy.faults;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * What the fault tests share besides the wire client ({@code testing.RawHttp}): a backend that
 * answers every request, a clock in milliseconds, and a look at the proxy's threads.
 */
final class FaultTestSupport {
    private FaultTestSupport() {}

    /**
     * A counting backend that answers {@code /bytes/N} with N bytes of the {@code PatternServer}
     * pattern and anything else with 200 "ok".
     */
    static MockWebServer patternBackend() throws IOException {
        MockWebServer backend = new MockWebServer();
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getUrl().encodedPath();
                if (path.startsWith("/bytes/")) {
                    int length = Integer.parseInt(path.substring("/bytes/".length()));
                    byte[] body = new byte[length];
                    io.chaosproxy.proxy.testing.PatternServer.fill(body, 0, length);
                    return new MockResponse.Builder().code(200).body(new okio.Buffer().write(body)).build();
                }
                return new MockResponse.Builder().code(200).body("ok").build();
            }
        });
        backend.start(0);
        return backend;
    }

    /** A backend that answers every request 200 with {@code body}; it counts and records them. */
    static MockWebServer backendAnswering(String body) throws IOException {
        MockWebServer backend = new MockWebServer();
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).body(body).build();
            }
        });
        backend.start(0);
        return backend;
    }

    /**
     * Threads, other than the caller, with a frame of the proxy's data plane on their stack: a
     * waiting request that held a thread would be one of them.
     */
    static long threadsRunningProxyCode() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(thread -> thread.getKey() != Thread.currentThread())
                .filter(thread -> java.util.Arrays.stream(thread.getValue())
                        .anyMatch(frame -> frame.getClassName().startsWith("io.chaosproxy.proxy.dataplane")))
                .count();
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
