package io.chaosproxy.proxy.journal;

/**
 * One try at a backend within an exchange. {@code status} is null when no response came back;
 * {@code error} then says why ("connect refused", "timeout", "breaker open", ...).
 */
public record Attempt(String backend, Integer status, String error, long durationMs) {}
