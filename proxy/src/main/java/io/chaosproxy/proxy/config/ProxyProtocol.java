package io.chaosproxy.proxy.config;

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
