package io.chaosproxy.junit.readme;

import io.chaosproxy.faults.ErrorResponse;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.io.IOException;
import java.net.URI;
import java.util.List;

/** README.md, "In Java, without JUnit": compiled, not run. */
class EmbeddedServerExample {
    static void embedded() throws IOException {
try (ChaosProxyServer proxy = ChaosProxyServer.builder()
        .upstream("http://localhost:9000")                   // listen defaults to 127.0.0.1:0
        .resilience(ResilienceSettings.builder().maxAttempts(2).build())
        .seed(42)
        .build()
        .start()) {                                          // returns once listening
    URI base = proxy.url();                                  // point the service under test here
    proxy.inject(FaultRule.builder(new ErrorResponse(503)).path("/payments/**").times(3).build());
    // ... exercise the service ...
    List<JournalEntry> seen = proxy.journal().query(JournalQuery.ALL.withPath("/payments/**"));
}
    }
}
