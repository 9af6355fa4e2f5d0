package io.chaosproxy.faults;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A request as rules see it, built fluently: {@code Request.get("/orders/1").header("X-Tenant", "a")}. */
final class Request implements RequestFacts {

    private final String proxy;
    private final String method;
    private final String path;
    private final Map<String, String> headers;

    private Request(String proxy, String method, String path, Map<String, String> headers) {
        this.proxy = proxy;
        this.method = method;
        this.path = path;
        this.headers = headers;
    }

    static Request get(String path) {
        return of("GET", path);
    }

    static Request of(String method, String path) {
        return new Request("default", method, path, Map.of());
    }

    Request proxy(String proxy) {
        return new Request(proxy, method, path, headers);
    }

    Request header(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name.toLowerCase(Locale.ROOT), value);
        return new Request(proxy, method, path, more);
    }

    @Override
    public String proxy() {
        return proxy;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
