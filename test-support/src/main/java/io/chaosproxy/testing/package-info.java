/**
 * What the tests of several modules share, so that none keeps its own copy.
 *
 * <ul>
 *   <li>{@link io.chaosproxy.testing.DeadPort}: a loopback port where every connect is refused, and
 *       which no other socket can take while the tests run.</li>
 * </ul>
 *
 * <p>Modules depend on this one in test scope only. Helpers that need Jetty or OkHttp stay in the
 * tests of the module that has those ({@code io.chaosproxy.proxy.testing}).
 */
package io.chaosproxy.testing;
