package io.chaosproxy.junit;

import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.Refuse;

/**
 * Refuse: while the rule lasts the proxy's port is closed, so the service's new connections fail
 * at once with "connection refused" ({@link java.net.ConnectException}); connections it already
 * has carry on. Aim it with {@code onProxy(name)}, bound it with {@code duration(...)}; it takes
 * no match, probability, times or after.
 */
public final class RefuseFault extends FaultSpec<RefuseFault> {

    RefuseFault(Common common) {
        super(common);
    }

    @Override
    RefuseFault with(Common common) {
        return new RefuseFault(common);
    }

    @Override
    Fault fault() {
        return new Refuse();
    }
}
