package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.InstalledRule;
import java.io.IOException;

/** Ends a direction's pump when a drop rule cut the connection: an injected end, not a failure of either side. */
final class FaultCutException extends IOException {
    FaultCutException(InstalledRule rule) {
        super("cut by fault rule " + rule.id());
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // an expected event, not a bug: no stack to collect
    }
}
