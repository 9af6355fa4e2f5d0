package io.chaosproxy.proxy.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.Headers;
import okio.Buffer;
import okio.BufferedSink;
import okio.Okio;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

/**
 * The client's trailers on their way to an HTTP/2 backend, without a network: which fields go, and
 * what happens on a sink that is not OkHttp's HTTP/2 stream (see RequestTrailersTest for the wire).
 */
class RequestTrailerFieldsTest {

    @Test
    void noTrailersOrOnlyHopByHopOnesMeanNoTrailersFrame() {
        assertThat(TrailerFields.toBackend(null)).isNull();
        assertThat(TrailerFields.toBackend(HttpFields.EMPTY)).isNull();
        assertThat(TrailerFields.toBackend(HttpFields.build().add("Keep-Alive", "timeout=5").add("Connection", "close"))).isNull();
    }

    @Test
    void namesGoInLowerCaseAndValuesAndOrderStay() {
        Headers sent = TrailerFields.toBackend(HttpFields.build()
                .add("X-Checksum", "abc123").add("Transfer-Encoding", "chunked").add("x-rows", "2").add("X-Rows", "3"));

        assertThat(sent.names()).containsExactlyInAnyOrder("x-checksum", "x-rows");
        assertThat(sent.values("x-rows")).containsExactly("2", "3");
        assertThat(sent.name(0)).isEqualTo("x-checksum");
    }

    @Test
    void aSinkThatIsNotAnHttp2StreamTakesNoTrailersAndItsBytesStay() throws Exception {
        Buffer wire = new Buffer();
        BufferedSink sink = Okio.buffer((okio.Sink) wire);
        sink.writeUtf8("body");

        assertThat(Http2RequestTrailers.enqueue(sink, Headers.of("x-checksum", "abc123"))).isFalse();
        sink.close();
        assertThat(wire.readUtf8()).isEqualTo("body");
    }
}
