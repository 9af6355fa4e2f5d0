package io.chaosproxy.junit.readme;

import io.chaosproxy.junit.ChaosProxy;
import io.chaosproxy.junit.InjectedFault;

/** junit-extension/README.md, "The journal": compiled, not run. */
class JournalExample {
    static void assertions(ChaosProxy proxy, InjectedFault injected) {
proxy.requests()                       // every exchange since the test began, oldest first
     .onProxy("payments").withMethod("POST").toPath("/payments/**").withStatus(503)
     .withFault(injected).withoutResponse().matching("slow", e -> e.durationMs() > 400)
     .assertCount(2);                  // or .await(3, Duration.ofSeconds(5)), .last(), .list(), .count(), .attempts()
    }
}
