/** Plays a scenario's timed phases on the shared scheduler ({@link io.chaosproxy.proxy.scenario.ScenarioRunner}). */
package io.chaosproxy.proxy.scenario;
