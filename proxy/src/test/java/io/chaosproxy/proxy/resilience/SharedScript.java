package io.chaosproxy.proxy.resilience;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * One list of answers shared by several backends, handed out in the order requests arrive at any
 * of them, then a fallback for ever. "The first upstream request fails, whichever backend gets it"
 * makes a retry test independent of which backend the balancer picks first.
 */
final class SharedScript {
    private final ConcurrentLinkedQueue<MockResponse> steps;
    private final MockResponse fallback;

    private SharedScript(List<MockResponse> steps, MockResponse fallback) {
        this.steps = new ConcurrentLinkedQueue<>(steps);
        this.fallback = fallback;
    }

    /** Installs the script on every backend. */
    static void install(List<MockWebServer> backends, List<MockResponse> steps, MockResponse fallback) {
        SharedScript script = new SharedScript(steps, fallback);
        for (MockWebServer backend : backends) {
            backend.setDispatcher(script.dispatcher());
        }
    }

    /** Every backend answers {@code always}, for ever. */
    static void always(List<MockWebServer> backends, MockResponse always) {
        install(backends, List.of(), always);
    }

    private Dispatcher dispatcher() {
        return new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                MockResponse next = steps.poll();
                return next != null ? next : fallback;
            }
        };
    }
}
