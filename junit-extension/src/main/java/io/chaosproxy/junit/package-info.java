/**
 * How a JUnit 5 test drives a chaos proxy: {@link io.chaosproxy.junit.ChaosProxy} (the extension and
 * the handle), {@link io.chaosproxy.junit.ChaosProxyConfig} and {@link io.chaosproxy.junit.ChaosScenario}
 * to configure it, {@link io.chaosproxy.junit.Faults} to describe faults in Java, and
 * {@link io.chaosproxy.junit.Requests} to assert on what the service under test sent. The same API
 * drives a proxy in this JVM or, with {@link io.chaosproxy.junit.ChaosProxy#remote}, a standalone one.
 */
package io.chaosproxy.junit;
