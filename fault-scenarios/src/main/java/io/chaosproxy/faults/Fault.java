package io.chaosproxy.faults;

/** What a rule does to a request once it fires; one record per kind, one file per record. */
public sealed interface Fault permits Latency, ErrorResponse, Drop, Bandwidth, Hang, Refuse, Slice {

    /** The kind, as written in the rule's {@code "type"} field. */
    FaultType type();

    /**
     * Whether an HTTP exchange can suffer it. Refuse acts on listeners, slice and the TCP-only drop
     * points on byte pipes: the engine never decides those for an exchange.
     */
    default boolean actsOnExchanges() {
        return true;
    }
}
