package io.chaosproxy.junit;

import io.chaosproxy.faults.Fault;
import io.chaosproxy.faults.Hang;

/** Hang: no response at all until the client gives up or the rule is removed. */
public final class HangFault extends FaultSpec<HangFault> {

    HangFault(Common common) {
        super(common);
    }

    @Override
    HangFault with(Common common) {
        return new HangFault(common);
    }

    @Override
    Fault fault() {
        return new Hang();
    }
}
