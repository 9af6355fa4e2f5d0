package io.chaosproxy.proxy.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.AfterAllCallback;

/**
 * A running chaos proxy with its control API on a free loopback port, a MockWebServer backend
 * that answers every request with 200 "hello", and an HTTP client for both sides.
 *
 * <p>The one fixture of the control API tests: {@code @RegisterExtension static final
 * ControlFixture fixture = ControlFixture.perClass();} starts it before the class, resets it
 * before each test and closes it after the class; {@link #start()} gives one to close yourself.
 */
final class ControlFixture implements AutoCloseable, BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    static final MediaType JSON = MediaType.get("application/json");
    static final ObjectMapper MAPPER = new ObjectMapper();

    final MockWebServer backend = new MockWebServer();
    ChaosProxyServer server; // set once opened
    final OkHttpClient client = new OkHttpClient.Builder()
            .retryOnConnectionFailure(false)
            .callTimeout(Duration.ofSeconds(10))
            .build();
    private final String token;
    private final Consumer<ChaosProxyServer.Builder> customize;

    /** A reply from either side, read whole. */
    record Reply(int status, String body, Headers headers) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    private ControlFixture(Consumer<ChaosProxyServer.Builder> customize, String token) {
        this.token = token;
        this.customize = customize;
    }

    private ControlFixture open() throws IOException {
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).body("hello").build();
            }
        });
        backend.start();
        ChaosProxyServer.Builder builder = ChaosProxyServer.builder()
                .upstream(backend.url("/").toString())
                .control("127.0.0.1:0")
                .seed(42);
        if (token != null) {
            builder.controlToken(token);
        }
        customize.accept(builder);
        this.server = builder.build().start();
        return this;
    }

    static ControlFixture start() throws IOException {
        return new ControlFixture(builder -> { }, null).open();
    }

    static ControlFixture start(Consumer<ChaosProxyServer.Builder> customize) throws IOException {
        return new ControlFixture(customize, null).open();
    }

    static ControlFixture withToken(String token) throws IOException {
        return new ControlFixture(builder -> { }, token).open();
    }

    /** Started before the class, reset before each test, closed after the class (register it as an extension). */
    static ControlFixture perClass() {
        return new ControlFixture(builder -> { }, null);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        open();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Back to how it started: no faults, scenario, journal entries or extra proxies. */
    void reset() {
        server.reset();
        for (ProxyRuntime proxy : server.proxies()) {
            if (!proxy.name().equals(ProxySpec.DEFAULT_NAME)) {
                server.removeProxy(proxy.name());
            }
        }
        server.upstreams(java.util.List.of(backend.url("/").uri()));
    }

    URI controlUrl() {
        return server.controlUrl();
    }

    // ---- control calls ----

    Reply get(String path) {
        return control("GET", path, null, null);
    }

    Reply delete(String path) {
        return control("DELETE", path, null, null);
    }

    Reply post(String path, String json) {
        return control("POST", path, json, JSON);
    }

    Reply put(String path, String json) {
        return control("PUT", path, json, JSON);
    }

    Reply control(String method, String path, String body, MediaType type) {
        RequestBody requestBody = body == null
                ? (method.equals("POST") || method.equals("PUT") ? RequestBody.create(new byte[0], type) : null)
                : RequestBody.create(body.getBytes(StandardCharsets.UTF_8), type);
        return control(method, path, requestBody);
    }

    Reply control(String method, String path, RequestBody body) {
        Request.Builder request = new Request.Builder().url(controlUrl().resolve(path).toString()).method(method, body);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    // ---- traffic through the proxy ----

    Reply proxyGet(String path) {
        return proxyGet(server.url(), path);
    }

    Reply proxyGet(URI base, String path) {
        return send(new Request.Builder().url(base.resolve(path).toString()).build());
    }

    Reply send(Request request) {
        try (Response response = client.newCall(request).execute()) {
            return new Reply(response.code(), response.body().string(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.url() + " failed", e);
        }
    }

    static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    @Override
    public void close() {
        server.close();
        backend.close();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
