package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What an HTTP exchange's decision leaves out or sets apart: listener and byte-pipe faults are never
 * decided for it, and after-backend latency is summed on its own.
 */
class ExchangeOnlyDecisionTest {

    private final FaultEngine engine = new FaultEngine(3, new TestClock());

    private FaultDecision decide() {
        return engine.decide(Request.get("/orders/1"), Target.CLIENT);
    }

    @Test
    void refuseSliceAndTcpOnlyDropsAreNeverDecidedForAnExchange() {
        InstalledRule refuse = engine.install(FaultRule.builder(new Refuse()).build(), "api");
        InstalledRule slice = engine.install(FaultRule.builder(new Slice(1)).build(), "api");
        InstalledRule connect = engine.install(FaultRule.builder(new Drop(DropPoint.CONNECT, 0, DropMode.RESET)).build(), "api");
        InstalledRule afterBytes = engine.install(
                FaultRule.builder(new Drop(DropPoint.AFTER_BYTES, 3, DropMode.RESET)).build(), "api");

        assertThat(decide()).isEqualTo(FaultDecision.NONE);
        for (InstalledRule rule : new InstalledRule[] {refuse, slice, connect, afterBytes}) {
            assertThat(rule.matched()).as(rule.toString()).isZero();
            assertThat(rule.fired()).as(rule.toString()).isZero();
        }
    }

    @Test
    void aTcpOnlyDropDoesNotHideAYoungerHttpDrop() {
        engine.install(FaultRule.builder(new Drop(DropPoint.CONNECT, 0, DropMode.RESET)).build(), "api");
        InstalledRule http = engine.install(FaultRule.builder(new Drop(DropPoint.AFTER_BACKEND, 0, DropMode.RESET)).build(), "api");

        assertThat(decide().terminal()).isSameAs(http);
    }

    @Test
    void afterBackendLatencyIsSummedApartFromTheWaitBeforeForwarding() {
        engine.install(FaultRule.builder(new Latency(100)).build(), "api");
        engine.install(FaultRule.builder(new Latency(300).at(LatencyPoint.AFTER_BACKEND)).build(), "api");
        engine.install(FaultRule.builder(new Latency(50).at(LatencyPoint.AFTER_BACKEND)).build(), "api");

        FaultDecision decision = decide();

        assertThat(decision.delayMs()).isEqualTo(100);
        assertThat(decision.afterBackendDelayMs()).isEqualTo(350);
        assertThat(decision.fired()).hasSize(3);
        assertThat(decision.terminal()).isNull();
    }

    @Test
    void anAfterBackendDropIsTheTerminalFault() {
        InstalledRule drop = engine.install(
                FaultRule.builder(new Drop(DropPoint.AFTER_BACKEND, 0, DropMode.CLOSE)).methods("GET").build(), "api");

        assertThat(decide().terminal()).isSameAs(drop);
        assertThat(decide().terminalFault()).isEqualTo(new Drop(DropPoint.AFTER_BACKEND, 0, DropMode.CLOSE));
    }
}
