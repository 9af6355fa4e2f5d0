package io.chaosproxy.junit;

import static io.chaosproxy.junit.Faults.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code @ExtendWith(ChaosProxy.class)}: one proxy for the class, handed to every ChaosProxy parameter. */
@ExtendWith(ChaosProxy.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExtendWithLifecycleTest {

    @StartStop
    static final MockWebServer backend = new MockWebServer();

    static ChaosProxy fromBeforeAll;
    final ChaosProxy fromConstructor;
    ChaosProxy fromBeforeEach;

    ExtendWithLifecycleTest(ChaosProxy proxy) {
        this.fromConstructor = proxy;
    }

    @BeforeAll
    static void pointAtTheBackend(ChaosProxy proxy) {
        fromBeforeAll = proxy;
        TestHttp.answerOk(backend);
        proxy.upstream(backend.url("/"));
    }

    @BeforeEach
    void keep(ChaosProxy proxy) {
        fromBeforeEach = proxy;
    }

    @Test
    @Order(1)
    void everyParameterReceivesTheSameRunningProxy(ChaosProxy proxy) {
        assertThat(proxy).isSameAs(fromBeforeAll).isSameAs(fromConstructor).isSameAs(fromBeforeEach);
        assertThat(proxy.url().getHost()).isEqualTo("127.0.0.1");
        assertThat(proxy.url().getPort()).isPositive();
        assertThat(TestHttp.get(proxy.url(), "/hello")).isEqualTo(200);
    }

    @Test
    @Order(2)
    void aFaultAppliesToTheNextRequest(ChaosProxy proxy) {
        InjectedFault fault = proxy.inject(error(503).onPath("/orders/**"));

        assertThat(TestHttp.get(proxy.url(), "/orders/1")).isEqualTo(503);
        assertThat(TestHttp.get(proxy.url(), "/other")).isEqualTo(200);
        assertThat(fault.fired()).isEqualTo(1);
        proxy.requests().withFault(fault).assertCount(1);
    }

    @Test
    @Order(3)
    void eachTestStartsClean(ChaosProxy proxy) {
        // test 2 left a fault and two journal entries behind
        assertThat(proxy.requests().count()).isZero();
        assertThat(TestHttp.get(proxy.url(), "/orders/1")).isEqualTo(200);
    }

    @Test
    @Order(4)
    void aClosedFaultIsRemoved(ChaosProxy proxy) {
        try (InjectedFault fault = proxy.inject(error(500))) {
            assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(500);
            assertThat(fault.id()).isNotBlank();
            assertThat(fault.name()).startsWith("error-");
        }
        assertThat(TestHttp.get(proxy.url(), "/")).isEqualTo(200);
    }

    @Test
    @Order(5)
    void theExtensionInstanceIsNotAProxy() {
        assertThatThrownBy(() -> new ChaosProxy().url())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("declare a ChaosProxy parameter");
        assertThatThrownBy(() -> ChaosProxy.builder().build().url())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("register it with @RegisterExtension");
    }

    @Nested
    class NestedClasses {
        @Test
        void shareTheOuterClassesProxy(ChaosProxy proxy) {
            assertThat(proxy).isSameAs(fromBeforeAll);
            assertThat(TestHttp.get(proxy.url(), "/nested")).isEqualTo(200);
        }
    }

    @Nested
    @ChaosProxyConfig(maxAttempts = 1)
    class NestedClassesWithTheirOwnConfig {
        @Test
        void getTheirOwnProxy(ChaosProxy proxy) {
            assertThat(proxy).isNotSameAs(fromBeforeAll);
            assertThat(proxy.url()).isNotEqualTo(fromBeforeAll.url());
            URI own = proxy.url();
            assertThat(TestHttp.get(own, "/")).isEqualTo(502); // no upstream given to this one
        }
    }
}
