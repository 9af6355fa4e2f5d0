package io.chaosproxy.faults;

/** What a rule needs to know about a request to decide whether it matches. */
public interface RequestFacts {

    /** The name of the proxy that took the request, e.g. {@code "default"}. */
    String proxy();

    /** The HTTP method as sent; rules compare it upper-case. */
    String method();

    /** The path only, without the query string, e.g. {@code "/orders/42"}. */
    String path();

    /** The first value of a header, looked up case-insensitively; {@code null} when absent. */
    String header(String name);
}
