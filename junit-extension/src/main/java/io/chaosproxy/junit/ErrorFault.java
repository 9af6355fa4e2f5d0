package io.chaosproxy.junit;

import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.Fault;
import java.util.LinkedHashMap;
import java.util.Map;

/** Error: the proxy answers with this status, body and headers itself, without calling the backend. */
public final class ErrorFault extends FaultSpec<ErrorFault> {
    private final int status;
    private final String body;
    private final Map<String, String> headers;

    ErrorFault(Common common, int status, String body, Map<String, String> headers) {
        super(common);
        this.status = status;
        this.body = body;
        this.headers = headers;
    }

    /** The response body, sent as is (empty by default). */
    public ErrorFault body(String body) {
        return new ErrorFault(common(), status, body, headers);
    }

    /** A response header, e.g. {@code header("Retry-After", "1")}; calls add up. */
    public ErrorFault header(String name, String value) {
        Map<String, String> next = new LinkedHashMap<>(headers);
        next.put(name, value);
        return new ErrorFault(common(), status, body, next);
    }

    @Override
    ErrorFault with(Common common) {
        return new ErrorFault(common, status, body, headers);
    }

    @Override
    Fault fault() {
        return new ErrorResponse(status, body, headers);
    }
}
