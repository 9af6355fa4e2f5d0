package io.chaosproxy.faults;

/** What a rule does to a request once it fires; one record per kind, one file per record. */
public sealed interface Fault permits Latency, ErrorResponse, Drop, Bandwidth, Hang {

    /** The kind, as written in the rule's {@code "type"} field. */
    FaultType type();
}
