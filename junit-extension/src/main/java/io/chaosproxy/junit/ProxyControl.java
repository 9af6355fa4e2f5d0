package io.chaosproxy.junit;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.proxy.events.ProxyEvent;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link ChaosProxy} handle needs from a proxy, whether it runs in this JVM
 * ({@link InProcessControl}) or elsewhere behind its control API ({@link RemoteControl}).
 * Both answer with the same types and fail with the same exceptions for the same mistakes.
 */
interface ProxyControl extends AutoCloseable {

    /** Where the named proxy takes traffic. */
    URI url(String proxyName);

    /** The {@code host:port} clients of the named proxy connect to (a TCP proxy's address). */
    String address(String proxyName);

    void upstreams(String proxyName, List<URI> upstreams);

    InjectedFault inject(FaultRule rule);

    void removeFaults();

    /** Starts a built-in scenario; an unknown name lists the known ones. */
    void startScenario(String builtInName);

    void startScenario(Scenario scenario);

    /** False when none was running. */
    boolean stopScenario();

    List<JournalEntry> requests(JournalQuery query);

    /**
     * Returns once more than {@code seen} entries match {@code query}, or after {@code atMost},
     * whichever is first; the caller looks again either way.
     */
    void awaitMore(JournalQuery query, int seen, Duration atMost) throws InterruptedException;

    void reset();

    /** {@link #reset()}, with rule ids restarting and every decision drawn from {@code seed} from now on. */
    void reset(long seed);

    long seed();

    /** Breaker transitions and scenario phase changes the proxy still holds, oldest first (for the timeline report). */
    List<ProxyEvent> events();

    /** The control API's base URL: a remote proxy's, or an in-process one's when it serves one (else empty). */
    Optional<URI> controlUrl();

    /** Where this control talks to, for messages: "in-process proxy on ..." or the control URL. */
    String describe();

    /** Checks the proxy is there and answering, with a message that says why not. */
    void verify();

    /** In process: stops the proxy, freeing its ports and threads. Remote: lets go of connections only. */
    @Override
    void close();
}
