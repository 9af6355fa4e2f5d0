package io.chaosproxy.proxy.dataplane;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * A network interceptor that undoes OkHttp's helpfulness, so what reaches the backend is what the
 * client sent and what reaches the client is what the backend sent.
 *
 * <p>OkHttp's bridge adds {@code Accept-Encoding: gzip} and a {@code User-Agent} when the caller
 * has none, and then transparently gunzips the response. A proxy must not: the client asked for
 * no encoding, and gzip bytes must stay gzip bytes. So the added headers are removed on the way
 * out, and {@code Content-Encoding} is hidden from the bridge on the way back (under a private
 * name that the response relay restores).
 */
final class FaithfulHeadersInterceptor implements Interceptor {
    static final FaithfulHeadersInterceptor INSTANCE = new FaithfulHeadersInterceptor();
    static final String HIDDEN_CONTENT_ENCODING = "X-Chaos-Proxy-Content-Encoding";

    private FaithfulHeadersInterceptor() {}

    @Override
    public Response intercept(Chain chain) throws IOException {
        okhttp3.Request request = chain.request();
        AttemptTag tag = request.tag(AttemptTag.class);
        if (tag != null) {
            boolean addedAcceptEncoding = !tag.clientSentAcceptEncoding() && request.header("Accept-Encoding") != null;
            boolean addedUserAgent = !tag.clientSentUserAgent() && request.header("User-Agent") != null;
            if (addedAcceptEncoding || addedUserAgent) { // else nothing to undo: no copy of the request
                okhttp3.Request.Builder exact = request.newBuilder();
                if (addedAcceptEncoding) {
                    exact.removeHeader("Accept-Encoding");
                }
                if (addedUserAgent) {
                    exact.removeHeader("User-Agent");
                }
                request = exact.build();
            }
        }
        Response response = chain.proceed(request);
        String encoding = response.header("Content-Encoding");
        if (encoding == null) {
            return response;
        }
        return response.newBuilder()
                .removeHeader("Content-Encoding")
                .header(HIDDEN_CONTENT_ENCODING, encoding)
                .build();
    }
}
