/** The built-in echo backend ({@link io.chaosproxy.proxy.demo.DemoUpstream}) that starts when no upstream is given. */
package io.chaosproxy.proxy.demo;
