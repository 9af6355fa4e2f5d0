package io.chaosproxy.junit;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.faults.ScenarioCatalog;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.events.EventLog;
import io.chaosproxy.proxy.events.ProxyEvent;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A {@link ProxyControl} over a {@link ChaosProxyServer} running in this JVM, which it owns. */
final class InProcessControl implements ProxyControl {
    private final ChaosProxyServer server;
    /**
     * When the journal was last cleared. An exchange still in flight at a reset is recorded after
     * it, and belongs to the test before: entries that started earlier are left out.
     */
    private volatile Instant clearedAt = Instant.MIN;

    InProcessControl(ChaosProxyServer server) {
        this.server = server;
    }

    /** Starts a proxy as the blueprint says; returns once every listener accepts connections. */
    static InProcessControl start(Blueprint blueprint, Long seedOverride) throws IOException {
        ChaosProxyServer.Builder builder = blueprint.server();
        if (seedOverride != null) {
            builder.seed(seedOverride);
        }
        return new InProcessControl(builder.build().start());
    }

    @Override
    public URI url(String proxyName) {
        return server.url(proxyName);
    }

    @Override
    public String address(String proxyName) {
        return server.address(proxyName).toString();
    }

    @Override
    public void upstreams(String proxyName, List<URI> upstreams) {
        server.upstreams(proxyName, upstreams);
    }

    @Override
    public InjectedFault inject(FaultRule rule) {
        server.checkTargets(rule, "");
        InstalledRule installed = server.inject(rule);
        return new InjectedFault(installed.rule(), installed::fired, () -> server.faults().remove(installed.id()));
    }

    @Override
    public void removeFaults() {
        server.faults().removeAll();
    }

    @Override
    public void startScenario(String builtInName) {
        startScenario(ScenarioCatalog.find(builtInName).orElseThrow(() -> new FaultSpecException("name",
                "no built-in scenario named '" + builtInName + "'; built-ins: " + String.join(", ", ScenarioCatalog.names()))));
    }

    @Override
    public void startScenario(Scenario scenario) {
        server.checkTargets(scenario);
        server.scenarios().start(scenario);
    }

    @Override
    public boolean stopScenario() {
        return server.scenarios().stop();
    }

    @Override
    public List<JournalEntry> requests(JournalQuery query) {
        return sinceCleared(server.journal().query(query));
    }

    @Override
    public void awaitMore(JournalQuery query, int seen, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            List<JournalEntry> recorded = server.journal().query(query);
            long left = deadline - System.nanoTime();
            if (sinceCleared(recorded).size() > seen || left <= 0) {
                return;
            }
            // Counting raw entries here, so one recorded since the query above ends the wait at once.
            server.journal().awaitCount(query, recorded.size() + 1, Duration.ofNanos(left));
        }
    }

    @Override
    public void reset() {
        clearedAt = Instant.now();
        server.reset();
    }

    @Override
    public void reset(long seed) {
        clearedAt = Instant.now();
        server.reset(seed);
    }

    @Override
    public long seed() {
        return server.seed();
    }

    @Override
    public List<ProxyEvent> events() {
        return server.events().after(0, EventLog.DEFAULT_CAPACITY).stream().map(EventLog.Numbered::event).toList();
    }

    @Override
    public Optional<URI> controlUrl() {
        return Optional.ofNullable(server.controlUrl());
    }

    @Override
    public String describe() {
        return "the in-process chaos proxy at " + server.url();
    }

    @Override
    public void verify() {
        // It answers as long as it is not closed, and closing it drops this control.
    }

    @Override
    public void close() {
        server.close();
    }

    private List<JournalEntry> sinceCleared(List<JournalEntry> entries) {
        Instant since = clearedAt;
        return entries.stream().filter(entry -> entry.startedAt() == null || !entry.startedAt().isBefore(since)
                // a TCP connection (a pool's, often older than the test) counts when it ended
                || (entry.isConnection() && !entry.startedAt().plusMillis(entry.durationMs()).isBefore(since))).toList();
    }
}
