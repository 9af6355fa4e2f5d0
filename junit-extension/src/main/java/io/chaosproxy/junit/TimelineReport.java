package io.chaosproxy.junit;

/**
 * When the extension writes a test's timeline report: a self-contained HTML file under
 * {@code target/chaos-proxy/} that draws the test's exchanges, attempts, faults, breaker transitions
 * and scenario phases on a time axis, with the seed to replay it.
 */
public enum TimelineReport {
    /** For each failed test only (the default): the path is printed with the failure. */
    ON_FAILURE,
    /** For every test, passed or failed. */
    ALWAYS,
    /** Never. */
    OFF;

    boolean writesFor(boolean failed) {
        return this == ALWAYS || (this == ON_FAILURE && failed);
    }
}
