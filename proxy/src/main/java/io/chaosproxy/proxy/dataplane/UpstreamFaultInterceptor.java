package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.DropPoint;
import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.Fault;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSink;
import okio.Okio;

/**
 * Faults with {@code target: upstream}: the attempt fails as if the backend had failed, so retries,
 * breakers and the journal react exactly as to the real thing. An error fault answers in the
 * backend's place; a drop before the response is a connection reset.
 */
final class UpstreamFaultInterceptor implements Interceptor {
    static final UpstreamFaultInterceptor INSTANCE = new UpstreamFaultInterceptor();

    /** How an injected reset shows up: an IOException, like a real one. */
    static final class InjectedResetException extends IOException {
        InjectedResetException() {
            super("connection reset by backend (injected)");
        }
    }

    private UpstreamFaultInterceptor() {}

    @Override
    public Response intercept(Chain chain) throws IOException {
        AttemptTag tag = chain.request().tag(AttemptTag.class);
        Fault fault = tag == null ? null : tag.upstreamFaults().terminalFault();
        if (fault instanceof ErrorResponse error) {
            if (tag.http1Upload() && !error.isGrpc()) {
                sendBodyNowhere(chain.request());
            }
            return answerInBackendsPlace(chain.request(), error);
        }
        if (fault instanceof Drop drop && drop.when() == DropPoint.BEFORE_RESPONSE) {
            throw new InjectedResetException();
        }
        return chain.proceed(chain.request());
    }

    /**
     * OkHttp sends a request's body before it reads the answer (unless an HTTP/2 backend takes it
     * duplex), so a real backend's error comes once the client's upload is all in: the same here,
     * for an HTTP/1.1 client. The upload is read as an attempt reads it (its pace, the replay
     * buffer for a retry), and the client's connection is left ready for its next request. An
     * HTTP/2 client has no connection to keep (its unread stream ends alone) and may stream its
     * upload while it waits for the answer, as a gRPC call does: it gets the error at once.
     */
    private static void sendBodyNowhere(okhttp3.Request request) throws IOException {
        okhttp3.RequestBody body = request.body();
        if (body != null) {
            try (BufferedSink nowhere = Okio.buffer(Okio.blackhole())) {
                body.writeTo(nowhere);
            }
        }
    }

    private static Response answerInBackendsPlace(okhttp3.Request request, ErrorResponse error) {
        if (error.isGrpc()) {
            // trailers-only, as a gRPC server that fails a call at once answers on HTTP/2
            Response.Builder grpc = new Response.Builder().request(request).protocol(Protocol.HTTP_2)
                    .code(error.status()).message("");
            GrpcCalls.trailersOnlyHeaders(error).forEach(grpc::addHeader);
            return grpc.body(ResponseBody.create(new byte[0], null)).build();
        }
        Response.Builder response = new Response.Builder()
                .request(request)
                .protocol(Protocol.HTTP_1_1)
                .code(error.status())
                .message("Injected");
        error.headers().forEach(response::addHeader);
        String contentType = error.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("Content-Type"))
                .map(java.util.Map.Entry::getValue)
                .findFirst()
                .orElse(error.body().isEmpty() ? null : "text/plain; charset=utf-8");
        MediaType mediaType = contentType == null ? null : MediaType.parse(contentType);
        return response.body(ResponseBody.create(error.body(), mediaType)).build();
    }
}
