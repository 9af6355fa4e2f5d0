package io.chaosproxy.proxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.faults.Phase;
import io.chaosproxy.faults.Refuse;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.proxy.ChaosProxyServer;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import io.chaosproxy.proxy.dataplane.transport.RefusableConnector;
import org.awaitility.Awaitility;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** refuse on an HTTP proxy: the port is closed while the rule lasts; clients see ConnectException, then the same port again. */
@Timeout(30)
class RefuseFaultTest {
    private MockWebServer backend;
    private ChaosProxyServer proxy;
    private final OkHttpClient okHttp = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
    private final HttpClient jdk = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        backend = new MockWebServer();
        backend.start();
        proxy = ChaosProxyServer.builder().upstream(backend.url("/").toString()).seed(3).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
        okHttp.dispatcher().executorService().shutdown();
        okHttp.connectionPool().evictAll();
    }

    @Test
    void okHttpAndTheJdkClientSeeConnectExceptionWhileRefusedAndTheSamePortAnswersAfter() throws Exception {
        int port = proxy.url().getPort();
        InstalledRule refuse = proxy.inject(FaultRule.builder(new Refuse()).build());
        assertThatThrownBy(() -> okHttpGet()).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> jdkGet()).isInstanceOf(ConnectException.class);
        assertThat(backend.getRequestCount()).isZero();

        proxy.faults().remove(refuse.id());
        backend.enqueue(new MockResponse.Builder().body("back").build());
        assertThat(proxy.url().getPort()).isEqualTo(port);
        try (Response response = okHttpGet()) {
            assertThat(response.body().string()).isEqualTo("back");
        }
    }

    @Test
    void aConnectionOpenBeforeTheRuleCarriesOn() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("one").build());
        backend.enqueue(new MockResponse.Builder().body("two").build());
        try (Response first = okHttpGet()) {
            assertThat(first.body().string()).isEqualTo("one");
        }
        proxy.inject(FaultRule.builder(new Refuse()).build());
        try (Response pooled = okHttpGet()) { // OkHttp reuses its keep-alive connection
            assertThat(pooled.body().string()).isEqualTo("two");
        }
        assertThatThrownBy(() -> jdkGet()).isInstanceOf(ConnectException.class);
    }

    @Test
    void theRuleRunsOutAfterDurationMsAndThePortAcceptsAgain() throws Exception {
        InstalledRule refuse = proxy.inject(FaultRule.builder(new Refuse()).durationMs(3_000).build());
        assertThatThrownBy(() -> jdkGet()).isInstanceOf(ConnectException.class);
        backend.enqueue(new MockResponse.Builder().body("again").build());
        awaitListener(RefusableConnector.State.ACCEPTING);
        assertThat(Instant.now()).isAfterOrEqualTo(refuse.expiresAt());
        assertThat(jdkGet().body()).isEqualTo("again");
    }

    @Test
    void aScenarioPhaseOfRefusedConnectionsEndsWithThePhase() throws Exception {
        proxy.scenarios().start(new Scenario("outage-window", "refused, then healthy", false,
                List.of(new Phase(Duration.ofMillis(3_000), List.of(FaultRule.builder(new Refuse()).build()), null),
                        new Phase(Duration.ofSeconds(30), List.of(), null))));
        assertThatThrownBy(() -> jdkGet()).isInstanceOf(ConnectException.class);
        backend.enqueue(new MockResponse.Builder().body("healthy").build());
        awaitListener(RefusableConnector.State.ACCEPTING);
        assertThat(jdkGet().body()).isEqualTo("healthy");
    }

    @Test
    void aPortTakenMeanwhileIsReportedAsLostAndTakenBackWhenFree() throws Exception {
        int port = proxy.url().getPort();
        InstalledRule refuse = proxy.inject(FaultRule.builder(new Refuse()).build());
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.setReuseAddress(true); // as another program restarted on that port would
            squatter.bind(new InetSocketAddress("127.0.0.1", port));
            proxy.faults().remove(refuse.id());

            var runtime = proxy.proxy("default").orElseThrow();
            assertThat(runtime.listenerState()).isEqualTo(RefusableConnector.State.LOST);
            assertThat(runtime.listenerProblem()).contains("cannot listen on port " + port + " again");
        }
        backend.enqueue(new MockResponse.Builder().body("mine again").build());
        awaitListener(RefusableConnector.State.ACCEPTING); // retried every second
        assertThat(jdkGet().body()).isEqualTo("mine again");
    }

    private void awaitListener(RefusableConnector.State state) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> proxy.proxy("default").orElseThrow().listenerState() == state);
    }

    private Response okHttpGet() throws Exception {
        return okHttp.newCall(new Request.Builder().url(proxy.url().resolve("/x").toString()).build()).execute();
    }

    private HttpResponse<String> jdkGet() throws Exception {
        return jdk.send(HttpRequest.newBuilder(URI.create(proxy.url() + "x")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
