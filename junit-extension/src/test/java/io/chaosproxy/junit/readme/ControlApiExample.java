package io.chaosproxy.junit.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.junit.ChaosProxy;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** junit-extension/README.md, "Letting another process drive an in-process proxy": compiled and run. */
class ControlApiExample {
@RegisterExtension
static ChaosProxy proxy = ChaosProxy.builder()
        .control("127.0.0.1:0")                      // the control API as well, on a free port
        .controlToken(System.getenv("CHAOS_TOKEN"))  // optional: then every call but /health needs it
        .build();

    @Test
    void itsControlApiListensWhereControlUrlSays() {
        URI control = proxy.controlUrl().orElseThrow(); // give it to the other process
        assertThat(control.getPort()).isNotEqualTo(proxy.url().getPort());
    }
}
