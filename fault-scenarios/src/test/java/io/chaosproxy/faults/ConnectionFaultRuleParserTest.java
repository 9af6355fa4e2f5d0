package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Valid input for the connection, TCP and gRPC fields: refuse, slice, {@code when} points,
 * {@code direction}, latency distributions and gRPC statuses, and what each defaults to.
 */
class ConnectionFaultRuleParserTest {

    private static Fault fault(String json) {
        return FaultRuleParser.parse(json).fault();
    }

    @Test
    void refuseTakesOnlyNameProxyAndDuration() {
        FaultRule rule = FaultRuleParser.parse(
                "{\"type\": \"refuse\", \"name\": \"db-down\", \"proxy\": \"pg\", \"durationMs\": 5000}");

        assertThat(rule.fault()).isEqualTo(new Refuse());
        assertThat(rule.name()).isEqualTo("db-down");
        assertThat(rule.proxy()).isEqualTo("pg");
        assertThat(rule.durationMs()).isEqualTo(5000);
        assertThat(rule.fault().actsOnExchanges()).isFalse();
    }

    @Test
    void sliceDefaultsToOneByteWithNoPause() {
        assertThat(fault("{\"type\": \"slice\"}")).isEqualTo(new Slice(1, 0, Direction.DOWNSTREAM));
        assertThat(fault("{\"type\": \"slice\", \"sliceBytes\": 16, \"sliceDelayMs\": 5, \"direction\": \"both\"}"))
                .isEqualTo(new Slice(16, 5, Direction.BOTH));
        assertThat(new Slice(1).actsOnExchanges()).isFalse();
    }

    @Test
    void directionDefaultsToDownstreamOnEveryKindThatTakesIt() {
        assertThat(((Latency) fault("{\"type\": \"latency\"}")).direction()).isEqualTo(Direction.DOWNSTREAM);
        assertThat(((Latency) fault("{\"type\": \"latency\", \"direction\": \"upstream\"}")).direction())
                .isEqualTo(Direction.UPSTREAM);
        assertThat(fault("{\"type\": \"bandwidth\", \"bytesPerSecond\": 10, \"direction\": \"both\"}"))
                .isEqualTo(new Bandwidth(10, Direction.BOTH));
        assertThat(fault("{\"type\": \"drop\", \"direction\": \"upstream\"}"))
                .isEqualTo(new Drop(DropPoint.BEFORE_RESPONSE, 0, DropMode.RESET, Direction.UPSTREAM));
        assertThat(fault("{\"type\": \"hang\", \"direction\": \"upstream\"}"))
                .isEqualTo(new Hang(HangPoint.BEFORE_RESPONSE, 0, Direction.UPSTREAM));
    }

    @Test
    void directionCoversItsOwnWayOrBoth() {
        assertThat(Direction.BOTH.covers(Direction.UPSTREAM)).isTrue();
        assertThat(Direction.BOTH.covers(Direction.DOWNSTREAM)).isTrue();
        assertThat(Direction.DOWNSTREAM.covers(Direction.UPSTREAM)).isFalse();
        assertThat(Direction.UPSTREAM.covers(Direction.UPSTREAM)).isTrue();
    }

    @Test
    void hangMidBodyStopsAfterTheGivenBytes() {
        assertThat(fault("{\"type\": \"hang\", \"when\": \"mid-body\", \"afterBytes\": 1024}"))
                .isEqualTo(Hang.midBody(1024));
        assertThat(fault("{\"type\": \"hang\", \"when\": \"mid-body\"}")).isEqualTo(Hang.midBody(0));
        assertThat(fault("{\"type\": \"hang\", \"when\": \"before-response\"}")).isEqualTo(new Hang());
    }

    @Test
    void hangAfterBytesWithoutWhenMeansMidBody() {
        // How a TCP hang after some bytes is written in the contract: no "when".
        assertThat(fault("{\"type\": \"hang\", \"afterBytes\": 10, \"direction\": \"upstream\"}"))
                .isEqualTo(new Hang(HangPoint.MID_BODY, 10, Direction.UPSTREAM));
    }

    @Test
    void dropTakesEveryPointAndAfterBytesWhereBytesAreCounted() {
        assertThat(fault("{\"type\": \"drop\", \"when\": \"after-backend\"}"))
                .isEqualTo(new Drop(DropPoint.AFTER_BACKEND, 0, DropMode.RESET));
        assertThat(fault("{\"type\": \"drop\", \"when\": \"after-backend\", \"mode\": \"close\"}"))
                .isEqualTo(new Drop(DropPoint.AFTER_BACKEND, 0, DropMode.CLOSE));
        assertThat(fault("{\"type\": \"drop\", \"when\": \"connect\"}"))
                .isEqualTo(new Drop(DropPoint.CONNECT, 0, DropMode.RESET));
        assertThat(fault("{\"type\": \"drop\", \"when\": \"after-bytes\", \"afterBytes\": 100, \"direction\": \"upstream\"}"))
                .isEqualTo(new Drop(DropPoint.AFTER_BYTES, 100, DropMode.RESET, Direction.UPSTREAM));
    }

    @Test
    void tcpOnlyDropPointsNeverActOnExchanges() {
        assertThat(new Drop(DropPoint.CONNECT, 0, DropMode.RESET).actsOnExchanges()).isFalse();
        assertThat(new Drop(DropPoint.AFTER_BYTES, 5, DropMode.RESET).actsOnExchanges()).isFalse();
        assertThat(new Drop(DropPoint.AFTER_BACKEND, 0, DropMode.RESET).actsOnExchanges()).isTrue();
        assertThat(new Drop().actsOnExchanges()).isTrue();
    }

    @Test
    void latencyAfterBackendHoldsTheAnswer() {
        assertThat(fault("{\"type\": \"latency\", \"delayMs\": 300, \"when\": \"after-backend\"}"))
                .isEqualTo(new Latency(300).at(LatencyPoint.AFTER_BACKEND));
    }

    @Test
    void lognormalLatencyTakesTheMedianAndTheP99() {
        assertThat(fault("{\"type\": \"latency\", \"delayMs\": 200, \"distribution\": \"lognormal\", \"p99Ms\": 800}"))
                .isEqualTo(Latency.lognormal(200, 800));
        assertThat(fault("{\"type\": \"latency\", \"delayMs\": 200, \"jitterMs\": 20, \"distribution\": \"uniform\"}"))
                .isEqualTo(new Latency(200, 20));
    }

    @Test
    void grpcStatusTakesThePlaceOfTheHttpStatus() {
        ErrorResponse error = (ErrorResponse) fault(
                "{\"type\": \"error\", \"grpcStatus\": 14, \"grpcMessage\": \"backend unavailable\"}");

        assertThat(error).isEqualTo(ErrorResponse.grpc(14, "backend unavailable"));
        assertThat(error.isGrpc()).isTrue();
        assertThat(error.status()).isEqualTo(200);
        assertThat(error.body()).isEmpty();
        assertThat(fault("{\"type\": \"error\", \"grpcStatus\": 0}")).isEqualTo(ErrorResponse.grpc(0, null));
        assertThat(fault("{\"type\": \"error\", \"grpcStatus\": 16, \"headers\": {\"x-a\": \"1\"}}"))
                .isEqualTo(new ErrorResponse(200, "", Map.of("x-a", "1"), 16, null));
        assertThat(((ErrorResponse) fault("{\"type\": \"error\", \"status\": 502}")).isGrpc()).isFalse();
    }

    @Test
    void scenarioDocumentsTakeTheNewFieldsToo() {
        Scenario scenario = ScenarioParser.parse("""
                name: db-outage
                phases:
                  - duration: 2s
                    faults: [{type: refuse, proxy: pg}]
                  - duration: 2s
                    faults:
                      - {type: latency, delayMs: 50, distribution: lognormal, p99Ms: 400}
                      - {type: hang, when: mid-body, afterBytes: 64, name: stall}
                      - {type: slice, sliceBytes: 2, direction: upstream, proxy: pg}
                """, "test");

        assertThat(scenario.phases().get(0).faults()).extracting(FaultRule::fault).containsExactly(new Refuse());
        assertThat(scenario.phases().get(1).faults()).extracting(FaultRule::fault).containsExactly(
                Latency.lognormal(50, 400), Hang.midBody(64), new Slice(2, 0, Direction.UPSTREAM));
    }

    @Test
    void listsNameTheNewErrorsWithTheirPlace() {
        FaultSpecException e = org.assertj.core.api.Assertions.catchThrowableOfType(FaultSpecException.class,
                () -> FaultRuleParser.parseList(FaultRuleParser.readJson(
                        "[{\"type\": \"hang\"}, {\"type\": \"refuse\", \"probability\": 0.5}]"), "faults"));

        assertThat(e.field()).isEqualTo("faults[1].probability");
        assertThat(e.getMessage()).startsWith("faults[1].probability does not apply to type refuse");
    }
}
