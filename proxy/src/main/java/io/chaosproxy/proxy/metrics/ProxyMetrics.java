package io.chaosproxy.proxy.metrics;

import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.journal.ExchangeListener;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.resilience.Backend;
import io.chaosproxy.proxy.resilience.BreakerState;
import io.chaosproxy.proxy.resilience.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Prometheus metrics of a proxy process, fed by every finished exchange.
 *
 * <ul>
 *   <li>{@code chaosproxy_requests_total{proxy,status}}: exchanges by the status the client got,
 *       {@code status="dropped"} when it got none;</li>
 *   <li>{@code chaosproxy_exchange_seconds{proxy}}: histogram of whole exchanges, faults and retries included;</li>
 *   <li>{@code chaosproxy_upstream_attempt_seconds{proxy}}: histogram of single tries at a backend;</li>
 *   <li>{@code chaosproxy_retries_total{proxy}}: attempts beyond the first;</li>
 *   <li>{@code chaosproxy_faults_fired_total{rule,type}}: firings by rule name and fault type;</li>
 *   <li>{@code chaosproxy_faults_active}: installed rules;</li>
 *   <li>{@code chaosproxy_breaker_state{proxy,backend}}: 0 closed, 1 half-open, 2 open;</li>
 *   <li>{@code chaosproxy_breaker_openings_total{proxy,backend}}: how often each breaker opened.</li>
 * </ul>
 *
 * <p>{@link #onExchange} runs on the data plane's hot path: every meter it touches is looked up in
 * a map keyed by plain values (or an array indexed by status), never built from tag lists.
 * Breaker meters follow the live backends, which come and go with proxies and upstream changes;
 * they are brought up to date on each {@link #scrape()}.
 */
public final class ProxyMetrics implements ExchangeListener {

    /** Buckets from a fast local call to a hung one; a chaos test's delays land between them. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60)};
    /** Rule names are user-chosen and scenario rules keep coming: past this many, firings share one series. */
    static final int MAX_RULE_SERIES = 1000;
    static final String OTHER_RULES = "_other";

    private static final int DROPPED = 0; // slot of the status array for "no status"

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, ProxyMeters> proxies = new ConcurrentHashMap<>();
    private final Map<RuleKey, Counter> ruleCounters = new ConcurrentHashMap<>();
    private final LongAdder faultsFired = new LongAdder();
    private final Object bindLock = new Object();
    private final Map<BackendKey, BreakerMeters> breakers = new HashMap<>(); // guarded by bindLock
    private volatile Supplier<? extends Collection<ProxyRuntime>> liveProxies;
    private Gauge activeFaults; // guarded by bindLock

    private record RuleKey(String rule, String type) {}

    private record BackendKey(String proxy, String backend) {}

    private record BreakerMeters(CircuitBreaker breaker, List<Meter> meters) {}

    /** Totals since the process started (not reset by {@code POST /reset}), for {@code GET /status}. */
    public record Counts(long requests, long status1xx, long status2xx, long status3xx, long status4xx,
                         long status5xx, long dropped, long retries, long faultsFired) {

        static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0);

        Counts plus(Counts other) {
            return new Counts(requests + other.requests, status1xx + other.status1xx, status2xx + other.status2xx,
                    status3xx + other.status3xx, status4xx + other.status4xx, status5xx + other.status5xx,
                    dropped + other.dropped, retries + other.retries, faultsFired + other.faultsFired);
        }
    }

    public ProxyMetrics() {}

    /**
     * Lets the breaker and active-fault gauges see the live proxies and rules. Called once the
     * server exists; calling it again rebinds.
     */
    public void bind(Supplier<? extends Collection<ProxyRuntime>> proxies, FaultEngine faults) {
        synchronized (bindLock) {
            this.liveProxies = proxies;
            if (activeFaults != null) {
                registry.remove(activeFaults);
            }
            activeFaults = Gauge.builder("chaosproxy.faults.active", faults, engine -> engine.rules().size())
                    .description("Fault rules installed now")
                    .strongReference(true)
                    .register(registry);
        }
    }

    @Override
    public void onExchange(JournalEntry entry, String query, List<InstalledRule> firedRules) {
        if (entry.isConnection()) {
            // a TCP connection is no request: its counts are the proxy's connection counters in /status
            for (InstalledRule rule : firedRules) {
                ruleCounter(rule).increment();
                faultsFired.increment();
            }
            return;
        }
        ProxyMeters meters = proxies.get(entry.proxy());
        if (meters == null) {
            meters = proxies.computeIfAbsent(entry.proxy(), ProxyMeters::new);
        }
        meters.record(entry);
        for (InstalledRule rule : firedRules) {
            ruleCounter(rule).increment();
            faultsFired.increment();
        }
    }

    /** The Prometheus text exposition (format 0.0.4) of every metric. */
    public String scrape() {
        syncBreakers();
        return registry.scrape();
    }

    /** Totals over every proxy. */
    public Counts counts() {
        Counts total = Counts.ZERO;
        for (ProxyMeters meters : proxies.values()) {
            total = total.plus(meters.counts());
        }
        return new Counts(total.requests(), total.status1xx(), total.status2xx(), total.status3xx(),
                total.status4xx(), total.status5xx(), total.dropped(), total.retries(), faultsFired.sum());
    }

    /** Totals of one proxy (zero when it has seen no traffic); {@code faultsFired} is not kept per proxy and reads 0. */
    public Counts counts(String proxy) {
        ProxyMeters meters = proxies.get(proxy);
        return meters == null ? Counts.ZERO : meters.counts();
    }

    private Counter ruleCounter(InstalledRule installed) {
        RuleKey key = new RuleKey(installed.rule().name(), installed.rule().type().wireName());
        Counter counter = ruleCounters.get(key);
        if (counter != null) {
            return counter;
        }
        if (ruleCounters.size() >= MAX_RULE_SERIES) {
            key = new RuleKey(OTHER_RULES, key.type());
        }
        return ruleCounters.computeIfAbsent(key, k -> Counter.builder("chaosproxy.faults.fired")
                .description("Times a fault rule fired")
                .tag("rule", k.rule())
                .tag("type", k.type())
                .register(registry));
    }

    /** Registers meters for new backends and removes those of backends that are gone or were replaced. */
    private void syncBreakers() {
        Supplier<? extends Collection<ProxyRuntime>> source = liveProxies;
        if (source == null) {
            return;
        }
        synchronized (bindLock) {
            Map<BackendKey, CircuitBreaker> live = new HashMap<>();
            for (ProxyRuntime proxy : source.get()) {
                for (Backend backend : proxy.backends()) {
                    live.put(new BackendKey(proxy.name(), backend.label()), backend.breaker());
                }
            }
            breakers.entrySet().removeIf(known -> {
                boolean stale = live.get(known.getKey()) != known.getValue().breaker();
                if (stale) {
                    known.getValue().meters().forEach(registry::remove);
                }
                return stale;
            });
            live.forEach((key, breaker) -> breakers.computeIfAbsent(key, k -> register(k, breaker)));
        }
    }

    private BreakerMeters register(BackendKey key, CircuitBreaker breaker) {
        List<Meter> meters = new ArrayList<>(2);
        meters.add(Gauge.builder("chaosproxy.breaker.state", breaker, b -> stateCode(b.state()))
                .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
                .tag("proxy", key.proxy())
                .tag("backend", key.backend())
                .strongReference(true)
                .register(registry));
        meters.add(FunctionCounter.builder("chaosproxy.breaker.openings", breaker, CircuitBreaker::openings)
                .description("Times the breaker opened")
                .tag("proxy", key.proxy())
                .tag("backend", key.backend())
                .register(registry));
        return new BreakerMeters(breaker, List.copyOf(meters));
    }

    static int stateCode(BreakerState state) {
        return switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }

    /** One proxy's meters, created on its first exchange and kept for the life of the process. */
    private final class ProxyMeters {
        private final String proxy;
        private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600);
        private final Timer exchange;
        private final Timer attempt;
        private final Counter retries;
        private final LongAdder[] byClass = new LongAdder[6]; // 0 = dropped, 1..5 = 1xx..5xx

        ProxyMeters(String proxy) {
            this.proxy = proxy;
            this.exchange = Timer.builder("chaosproxy.exchange")
                    .description("Whole exchanges as the client saw them, faults and retries included")
                    .tag("proxy", proxy)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
            this.attempt = Timer.builder("chaosproxy.upstream.attempt")
                    .description("Single tries at a backend")
                    .tag("proxy", proxy)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
            this.retries = Counter.builder("chaosproxy.retries")
                    .description("Attempts beyond the first")
                    .tag("proxy", proxy)
                    .register(registry);
            for (int i = 0; i < byClass.length; i++) {
                byClass[i] = new LongAdder();
            }
        }

        void record(JournalEntry entry) {
            Integer status = entry.status();
            int slot = status == null || status < 100 || status > 599 ? DROPPED : status;
            Counter requests = byStatus.get(slot);
            if (requests == null) {
                requests = Counter.builder("chaosproxy.requests")
                        .description("Exchanges by the status the client received")
                        .tag("proxy", proxy)
                        .tag("status", slot == DROPPED ? "dropped" : Integer.toString(slot))
                        .register(registry); // idempotent: racing threads get the same counter
                byStatus.set(slot, requests);
            }
            requests.increment();
            byClass[slot / 100].increment();
            exchange.record(entry.durationMs(), TimeUnit.MILLISECONDS);
            int calls = 0;
            for (Attempt tried : entry.attempts()) {
                if (!tried.shortCircuited()) {
                    attempt.record(tried.durationMs(), TimeUnit.MILLISECONDS);
                    calls++;
                }
            }
            if (calls > 1) {
                retries.increment(calls - 1); // a short-circuit called no backend: it is no retry
            }
        }

        Counts counts() {
            long dropped = byClass[0].sum();
            long c1 = byClass[1].sum();
            long c2 = byClass[2].sum();
            long c3 = byClass[3].sum();
            long c4 = byClass[4].sum();
            long c5 = byClass[5].sum();
            return new Counts(dropped + c1 + c2 + c3 + c4 + c5, c1, c2, c3, c4, c5, dropped,
                    (long) retries.count(), 0);
        }
    }
}
