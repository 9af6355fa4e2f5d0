package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Refuse;
import io.chaosproxy.proxy.dataplane.transport.RefusableConnector;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuse rules, for every proxy alike (HTTP or TCP): while one names a proxy (or names none), that
 * proxy's listening socket is closed, so new clients get ECONNREFUSED; when the last such rule
 * goes (removed, expired, its scenario phase over) the same port listens again.
 *
 * <p>It runs on every change of the rules, on the thread that made it, so a refuse rule is in force
 * when its install returns (before the control API sends its 201). A rule's expiry is looked at
 * when it is due. A port taken meanwhile by someone else is retried every second and reported by
 * the proxy's listener state.
 */
final class RefuseRules {
    private static final Logger LOG = LoggerFactory.getLogger(RefuseRules.class);
    private static final long RETRY_MS = 1000;

    private final FaultEngine faults;
    private final ProxyCore core;
    private final ScheduledExecutorService scheduler;
    private final Supplier<Collection<ProxyRuntime>> proxies;

    RefuseRules(ProxyCore core, Supplier<Collection<ProxyRuntime>> proxies) {
        this.core = core;
        this.faults = core.faults();
        this.scheduler = core.scheduler();
        this.proxies = proxies;
        faults.onChange(this::apply);
    }

    /** Opens or closes every listener as the refuse rules now say. */
    synchronized void apply() {
        List<InstalledRule> rules = faults.rules();
        boolean retry = false;
        for (ProxyRuntime proxy : proxies.get()) {
            RefusableConnector listener = proxy.connector();
            if (refused(rules, proxy.name())) {
                listener.refuse();
            } else if (listener.state() != RefusableConnector.State.ACCEPTING) {
                if (listener.acceptAgain()) {
                    LOG.info("proxy '{}' accepts connections again on {}", proxy.name(), proxy.listen());
                } else {
                    LOG.warn("proxy '{}': {}; trying again every {} ms", proxy.name(), listener.lostReason(), RETRY_MS);
                    retry = true;
                }
            }
        }
        watchExpiry(rules);
        if (retry) {
            later(this::apply, RETRY_MS);
        }
    }

    private static boolean refused(List<InstalledRule> rules, String proxy) {
        for (InstalledRule installed : rules) {
            FaultRule rule = installed.rule();
            if (rule.fault() instanceof Refuse && (rule.proxy() == null || rule.proxy().equals(proxy))) {
                return true;
            }
        }
        return false;
    }

    /** A refuse rule with durationMs: removed when due, so the port opens on time (the removal runs apply() again). */
    private void watchExpiry(List<InstalledRule> rules) {
        for (InstalledRule installed : rules) {
            if (installed.rule().fault() instanceof Refuse) {
                core.removeWhenDue(installed);
            }
        }
    }

    private void later(Runnable task, long delayMs) {
        try {
            scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopping: the listeners close anyway
        }
    }
}
