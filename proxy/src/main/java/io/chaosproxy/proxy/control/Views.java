package io.chaosproxy.proxy.control;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.faults.Durations;
import io.chaosproxy.faults.ScenarioJson;
import io.chaosproxy.proxy.config.ListenerTls;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.config.UpstreamTls;
import io.chaosproxy.proxy.config.ProxyProtocol;
import io.chaosproxy.proxy.dataplane.ConnectionCounters;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import io.chaosproxy.proxy.events.EventLog;
import io.chaosproxy.proxy.events.ProxyEvent;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalEntryJson;
import io.chaosproxy.proxy.metrics.ProxyMetrics;
import io.chaosproxy.proxy.resilience.Backend;
import io.chaosproxy.proxy.resilience.BreakerState;
import io.chaosproxy.proxy.resilience.CircuitBreaker;
import io.chaosproxy.proxy.scenario.RunningScenario;
import java.util.Set;

/** How the control API shows the server's objects as JSON; the one place their field names are spelled. */
final class Views {
    private Views() {}

    /** {@code {name, listen, url, upstreams, backends}}: what POST /proxies takes, plus what is live. */
    static ObjectNode proxy(ProxyRuntime proxy) {
        ObjectNode json = Json.object();
        json.put("name", proxy.name());
        json.put("protocol", proxy.protocol().wireName());
        json.put("listen", proxy.listen().toString());
        json.put("url", proxy.url().toString());
        listener(json, proxy);
        ArrayNode upstreams = json.putArray("upstreams");
        ArrayNode backends = json.putArray("backends");
        for (Backend backend : proxy.backends()) {
            upstreams.add(backend.uri().toString());
            backends.add(backend(backend));
        }
        return json;
    }

    /**
     * {@code listener}: {@code accepting}, {@code refusing} (a refuse rule is active) or
     * {@code lost} with {@code listenerError} (the port could not be taken back); and a TCP
     * proxy's {@code connections} counters.
     */
    private static void listener(ObjectNode json, ProxyRuntime proxy) {
        json.put("listener", proxy.listenerState().name().toLowerCase(java.util.Locale.ROOT));
        if (proxy.listenerProblem() != null) {
            json.put("listenerError", proxy.listenerProblem());
        }
        if (proxy.protocol() == ProxyProtocol.TCP) {
            ConnectionCounters.Snapshot counts = proxy.connections();
            ObjectNode connections = json.putObject("connections");
            connections.put("open", counts.open());
            connections.put("accepted", counts.accepted());
            connections.put("bytesUp", counts.bytesUp());
            connections.put("bytesDown", counts.bytesDown());
        }
    }

    static ObjectNode backend(Backend backend) {
        CircuitBreaker breaker = backend.breaker();
        ObjectNode json = Json.object();
        json.put("url", backend.label());
        BreakerState state = breaker.state();
        json.put("breaker", state.name());
        json.put("consecutiveFailures", breaker.consecutiveFailures());
        json.put("openings", breaker.openings());
        if (state == BreakerState.OPEN) {
            // Rounded up like the data plane's Retry-After, so "0" means a probe may go now.
            json.put("retryAfterSeconds", (breaker.nanosUntilProbe() + 999_999_999L) / 1_000_000_000L);
        }
        return json;
    }

    /** The contract's journal entry, every field always present (null when it has no value). */
    static ObjectNode entry(JournalEntry entry) {
        return JournalEntryJson.toJson(entry);
    }

    /** The scenario in progress; {@code phase} counts from 0 like {@code phases[i]} in the document. */
    static ObjectNode running(RunningScenario running) {
        ObjectNode json = Json.object();
        json.put("name", running.name());
        json.put("description", running.scenario().description());
        json.put("repeat", running.scenario().repeat());
        json.put("phase", running.phaseIndex());
        json.put("phases", running.scenario().phases().size());
        json.put("round", running.round());
        json.put("startedAt", running.startedAt() == null ? null : running.startedAt().toString());
        json.put("phaseTimeLeftMs", running.phaseTimeLeft() == null ? null : running.phaseTimeLeft().toMillis());
        json.set("document", ScenarioJson.toJson(running.scenario()));
        return json;
    }

    /** The same field names as the config file's {@code resilience} section, durations as "250ms". */
    static ObjectNode resilience(ResilienceSettings settings) {
        ObjectNode json = Json.object();
        json.put("maxAttempts", settings.maxAttempts());
        statuses(json.putArray("retryOnStatus"), settings.retryOnStatus());
        json.put("backoffBase", Durations.format(settings.backoffBase()));
        json.put("backoffCap", Durations.format(settings.backoffCap()));
        json.put("replayBufferBytes", settings.replayBufferBytes());
        json.put("retryWithIdempotencyKey", settings.retryWithIdempotencyKey());
        json.put("retryBudgetRatio", settings.retryBudgetRatio());
        json.put("retryBudgetMinPerSecond", settings.retryBudgetMinPerSecond());
        json.put("retryBudgetWindow", Durations.format(settings.retryBudgetWindow()));
        json.put("breakerFailures", settings.breakerFailures());
        statuses(json.putArray("breakerOnStatus"), settings.breakerOnStatus());
        json.put("breakerCooldown", Durations.format(settings.breakerCooldown()));
        json.put("connectTimeout", Durations.format(settings.connectTimeout()));
        json.put("tryTimeout", Durations.format(settings.tryTimeout()));
        json.put("deadline", Durations.format(settings.deadline()));
        json.put("minUploadRate", settings.minUploadRate());
        json.put("uploadThreads", settings.uploadThreads());
        return json;
    }

    /**
     * The listeners' TLS ({@code listener}: null when cleartext) and how https backends are
     * checked ({@code upstream}); {@code upstream.insecure} is the one to look for in a CI log.
     */
    static ObjectNode tls(ListenerTls listener, UpstreamTls upstream) {
        ObjectNode json = Json.object();
        if (listener == null) {
            json.putNull("listener");
        } else {
            ObjectNode l = json.putObject("listener");
            l.put("cert", listener.certFile().toString());
            l.put("subject", listener.chain().get(0).getSubjectX500Principal().getName());
            l.put("notAfter", listener.chain().get(0).getNotAfter().toInstant().toString());
        }
        ObjectNode u = json.putObject("upstream");
        u.put("insecure", upstream.insecure());
        u.put("ca", upstream.caFile() == null ? null : upstream.caFile().toString());
        u.put("trust", upstream.describe());
        return json;
    }

    /** {@code {seq, at, type, ...}}: {@code breaker} with proxy, backend, from, to; {@code phase} with scenario, phase, round; {@code scenario-end} with scenario, reason. */
    static ObjectNode event(EventLog.Numbered numbered) {
        ObjectNode json = Json.object();
        json.put("seq", numbered.seq());
        json.put("at", numbered.event().at().toString());
        ProxyEvent event = numbered.event();
        if (event instanceof ProxyEvent.BreakerTransition b) {
            json.put("type", "breaker");
            json.put("proxy", b.proxy());
            json.put("backend", b.backend());
            json.put("from", b.from().name());
            json.put("to", b.to().name());
        } else if (event instanceof ProxyEvent.PhaseChange p) {
            json.put("type", "phase");
            json.put("scenario", p.scenario());
            json.put("phase", p.phase());
            json.put("round", p.round());
        } else if (event instanceof ProxyEvent.ScenarioEnd e) {
            json.put("type", "scenario-end");
            json.put("scenario", e.scenario());
            json.put("reason", e.reason());
        }
        return json;
    }

    static ObjectNode counts(ProxyMetrics.Counts counts) {
        ObjectNode json = Json.object();
        json.put("requests", counts.requests());
        ObjectNode byClass = json.putObject("byStatusClass");
        byClass.put("1xx", counts.status1xx());
        byClass.put("2xx", counts.status2xx());
        byClass.put("3xx", counts.status3xx());
        byClass.put("4xx", counts.status4xx());
        byClass.put("5xx", counts.status5xx());
        byClass.put("dropped", counts.dropped());
        json.put("retries", counts.retries());
        json.put("faultsFired", counts.faultsFired());
        return json;
    }

    static String location(String collection, String id) {
        return "/" + collection + "/" + id;
    }

    private static void statuses(ArrayNode array, Set<Integer> statuses) {
        statuses.stream().sorted().forEach(array::add);
    }
}
