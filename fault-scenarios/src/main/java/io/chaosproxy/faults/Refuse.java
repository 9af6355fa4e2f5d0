package io.chaosproxy.faults;

/**
 * Refuse: while the rule is active the proxy's listener takes no new connections, so clients see
 * "connection refused" (the dependency is down); connections already open carry on. It acts on
 * listeners, not on requests, so it has no parameters and takes no {@code match},
 * {@code probability}, {@code times}, {@code after} or {@code ratePerSecond}.
 */
public record Refuse() implements Fault {

    /** {@inheritDoc} */
    @Override
    public boolean actsOnExchanges() {
        return false;
    }

    @Override
    public FaultType type() {
        return FaultType.REFUSE;
    }
}
