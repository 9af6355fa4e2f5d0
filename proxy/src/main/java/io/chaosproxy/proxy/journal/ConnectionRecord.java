package io.chaosproxy.proxy.journal;

/**
 * What a TCP connection's journal entry adds: who connected, which backend it reached, the bytes
 * each way and how it ended.
 *
 * @param protocol  always {@code "tcp"} for now
 * @param client    the client's address, {@code host:port}
 * @param backend   the backend reached, {@code tcp://host:port}; null when none was
 * @param bytesUp   bytes forwarded client to backend
 * @param bytesDown bytes forwarded backend to client
 * @param end       how it ended: one of the {@code END_*} constants
 */
public record ConnectionRecord(String protocol, String client, String backend, long bytesUp, long bytesDown, String end) {
    /** The client closed its side first and both sides finished cleanly. */
    public static final String END_CLIENT_CLOSED = "client-closed";
    /** The backend closed its side first and both sides finished cleanly. */
    public static final String END_BACKEND_CLOSED = "backend-closed";
    /** Either side reset the connection or failed mid-way; the other side was reset too. */
    public static final String END_RESET = "reset";
    /** A fault rule cut the connection. */
    public static final String END_FAULT = "fault";
    /** No backend accepted the connection. */
    public static final String END_BACKEND_UNREACHABLE = "backend-unreachable";
}
