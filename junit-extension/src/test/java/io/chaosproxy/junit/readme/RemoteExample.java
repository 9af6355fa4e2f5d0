package io.chaosproxy.junit.readme;

import io.chaosproxy.junit.ChaosProxy;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** junit-extension/README.md, "Remote": compiled, not run (it needs a standalone proxy). */
class RemoteExample {
@RegisterExtension
static ChaosProxy proxy = ChaosProxy.remote(URI.create(System.getenv("CHAOS_CONTROL_URL")), System.getenv("CHAOS_TOKEN"));
}
