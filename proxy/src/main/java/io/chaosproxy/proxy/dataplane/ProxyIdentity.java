package io.chaosproxy.proxy.dataplane;

/** How the proxy names itself in {@code Via} headers. */
final class ProxyIdentity {
    /** RFC 9110 section 7.6.3: "received-protocol received-by"; a pseudonym hides the host name. */
    static final String VIA = "1.1 chaos-proxy";

    private ProxyIdentity() {}
}
