package io.chaosproxy.proxy.events;

import io.chaosproxy.proxy.resilience.BreakerState;
import java.time.Instant;

/** A change of the proxy's state worth drawing next to the exchanges it explains. */
public sealed interface ProxyEvent permits ProxyEvent.BreakerTransition, ProxyEvent.PhaseChange, ProxyEvent.ScenarioEnd {

    /** When it happened. */
    Instant at();

    /** A backend's circuit breaker moved from one state to another. */
    record BreakerTransition(Instant at, String proxy, String backend, BreakerState from, BreakerState to)
            implements ProxyEvent {}

    /** A scenario entered phase {@code phase} (from 0) of round {@code round}: its rules are installed now. */
    record PhaseChange(Instant at, String scenario, int phase, int round) implements ProxyEvent {}

    /** A scenario ended: stopped, replaced, or its last phase ran out. */
    record ScenarioEnd(Instant at, String scenario, String reason) implements ProxyEvent {}
}
