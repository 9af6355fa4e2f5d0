package io.chaosproxy.faults;

/**
 * Hang: no response at all until the client gives up or the rule is removed. It has no
 * parameters, so no units.
 */
public record Hang() implements Fault {

    @Override
    public FaultType type() {
        return FaultType.HANG;
    }
}
