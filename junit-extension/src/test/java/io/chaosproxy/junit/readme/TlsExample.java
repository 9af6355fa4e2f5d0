package io.chaosproxy.junit.readme;

import io.chaosproxy.junit.ChaosProxy;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/** README.md, "TLS on the listener": compiled, not run (it reads cert.pem when the class loads). */
class TlsExample {
@RegisterExtension
static ChaosProxy proxy = ChaosProxy.builder()
        .tls(Path.of("cert.pem"), Path.of("key.pem"))   // HTTPS listeners, h2 + http/1.1; url() says https
        .upstreamCa(Path.of("internal-ca.pem"))          // or .upstreamInsecure(true)
        .build();
}
