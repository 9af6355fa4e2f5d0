/**
 * What changed in the proxy besides exchanges, with a timestamp: breaker transitions and scenario
 * phase changes. {@link io.chaosproxy.proxy.events.EventLog} keeps the newest of them in a bounded
 * ring; the control API's {@code GET /events}, the dashboard and the JUnit extension's timeline
 * report all read that one log.
 */
package io.chaosproxy.proxy.events;
