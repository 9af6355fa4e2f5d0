package io.chaosproxy.proxy.config;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.FaultType;
import io.chaosproxy.faults.Match;
import java.util.Locale;

/** What a proxy listener speaks: HTTP exchanges (the default) or raw TCP bytes. */
public enum ProxyProtocol {
    /** HTTP/1.1 and HTTP/2 exchanges, forwarded to http(s) backends. */
    HTTP,
    /** A byte pipe per connection to {@code tcp://host:port} backends: databases, caches, brokers. */
    TCP;

    /** The JSON spelling: {@code "http"} or {@code "tcp"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Refuses a rule that names a proxy of this protocol but could never act on it: on a TCP
     * proxy, one with {@code match} (a byte pipe has no method, path or headers) or of type
     * {@code error} (there is no HTTP response to replace). The field is {@code at} followed by
     * the key, as the control API and config files name fields ({@code ""}, {@code "[2]."},
     * {@code "phases[0].faults[1]."}).
     */
    public void check(FaultRule rule, String proxyName, String at) {
        if (this != TCP) {
            return;
        }
        if (!Match.ANY.equals(rule.match())) {
            throw new FaultSpecException(at + "match", at + "match does not apply to TCP proxy '" + proxyName
                    + "': a byte pipe has no method, path or headers; leave match out");
        }
        if (rule.type() == FaultType.ERROR) {
            throw new FaultSpecException(at + "type", at + "type error does not apply to TCP proxy '" + proxyName
                    + "' (there is no HTTP response to answer with); use drop, hang, latency, bandwidth, slice or refuse");
        }
    }

    /** Reads the JSON spelling; anything else fails with a message listing both. */
    public static ProxyProtocol fromWireName(String text) {
        for (ProxyProtocol protocol : values()) {
            if (protocol.wireName().equals(text)) {
                return protocol;
            }
        }
        throw new IllegalArgumentException("protocol must be \"http\" or \"tcp\", got \"" + text + "\"");
    }
}
