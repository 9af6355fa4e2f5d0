package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Invalid connection, TCP and gRPC fields: every refusal names its field and says what is wrong. */
class ConnectionFaultRuleErrorTest {

    private static final String REFUSE_TAIL = " does not apply to type refuse (a refused port refuses every new"
            + " connection while the rule lasts; use durationMs to limit it)";

    static Stream<Arguments> badRules() {
        return Stream.of(
                // refuse: every request-shaped key is refused by name, whatever its value
                arguments("{\"type\": \"refuse\", \"probability\": 0.5}", "probability", "probability" + REFUSE_TAIL),
                arguments("{\"type\": \"refuse\", \"probability\": 1}", "probability", "probability" + REFUSE_TAIL),
                arguments("{\"type\": \"refuse\", \"times\": 1}", "times", "times" + REFUSE_TAIL),
                arguments("{\"type\": \"refuse\", \"after\": 0}", "after", "after" + REFUSE_TAIL),
                arguments("{\"type\": \"refuse\", \"match\": {}}", "match", "match" + REFUSE_TAIL),
                arguments("{\"type\": \"refuse\", \"target\": \"client\"}", "target", "target" + REFUSE_TAIL),
                arguments("{\"type\": \"refuse\", \"ratePerSecond\": 5}", "ratePerSecond", "ratePerSecond" + REFUSE_TAIL),
                arguments("{\"type\": \"refuse\", \"delayMs\": 5}", "delayMs",
                        "delayMs does not apply to type refuse (refuse takes no parameters)"),
                // slice
                arguments("{\"type\": \"slice\", \"sliceBytes\": 0}", "sliceBytes", "sliceBytes must be > 0"),
                arguments("{\"type\": \"slice\", \"sliceBytes\": 1048577}", "sliceBytes",
                        "sliceBytes must be <= 1048576 (1 MiB)"),
                arguments("{\"type\": \"slice\", \"sliceBytes\": \"1\"}", "sliceBytes", "sliceBytes must be a whole number"),
                arguments("{\"type\": \"slice\", \"sliceDelayMs\": -1}", "sliceDelayMs", "sliceDelayMs must be >= 0"),
                arguments("{\"type\": \"slice\", \"sliceDelayMs\": 3600001}", "sliceDelayMs",
                        "sliceDelayMs must be <= 3600000 (1 hour)"),
                arguments("{\"type\": \"slice\", \"slicebytes\": 2}", "slicebytes",
                        "unknown field \"slicebytes\" (did you mean \"sliceBytes\"?)"),
                arguments("{\"type\": \"latency\", \"sliceBytes\": 2}", "sliceBytes",
                        "sliceBytes does not apply to type latency (latency takes delayMs, jitterMs, distribution,"
                                + " p99Ms, when, direction)"),
                // direction
                arguments("{\"type\": \"slice\", \"direction\": \"down\"}", "direction",
                        "direction must be one of downstream, upstream, both, got \"down\""),
                arguments("{\"type\": \"bandwidth\", \"direction\": 1}", "direction", "direction must be a string"),
                arguments("{\"type\": \"error\", \"direction\": \"both\"}", "direction",
                        "direction does not apply to type error (error takes status, body, headers, grpcStatus,"
                                + " grpcMessage)"),
                arguments("{\"type\": \"refuse\", \"direction\": \"both\"}", "direction",
                        "direction does not apply to type refuse (refuse takes no parameters)"),
                arguments("{\"type\": \"latency\", \"directon\": \"both\"}", "directon",
                        "unknown field \"directon\" (did you mean \"direction\"?)"),
                // when, per kind
                arguments("{\"type\": \"hang\", \"when\": \"after-headers\"}", "when",
                        "when must be one of before-response, mid-body for type hang, got \"after-headers\""),
                arguments("{\"type\": \"latency\", \"when\": \"mid-body\"}", "when",
                        "when must be one of before-response, after-backend for type latency, got \"mid-body\""),
                arguments("{\"type\": \"drop\", \"when\": \"afterbackend\"}", "when",
                        "when must be one of before-response, after-headers, mid-body, after-backend, connect,"
                                + " after-bytes for type drop, got \"afterbackend\""),
                arguments("{\"type\": \"bandwidth\", \"when\": \"mid-body\"}", "when",
                        "when does not apply to type bandwidth (bandwidth takes bytesPerSecond, direction)"),
                // afterBytes
                arguments("{\"type\": \"hang\", \"when\": \"before-response\", \"afterBytes\": 5}", "afterBytes",
                        "afterBytes only applies when \"when\" is mid-body"),
                arguments("{\"type\": \"hang\", \"when\": \"mid-body\", \"afterBytes\": -1}", "afterBytes",
                        "afterBytes must be >= 0"),
                arguments("{\"type\": \"hang\", \"afterBytes\": 1099511627777}", "afterBytes",
                        "afterBytes must be <= 1099511627776 (1 TiB)"),
                arguments("{\"type\": \"drop\", \"when\": \"after-backend\", \"afterBytes\": 5}", "afterBytes",
                        "afterBytes only applies when \"when\" is mid-body or after-bytes"),
                arguments("{\"type\": \"drop\", \"when\": \"connect\", \"afterBytes\": 0}", "afterBytes",
                        "afterBytes only applies when \"when\" is mid-body or after-bytes"),
                // after-backend is on the way to the client
                arguments("{\"type\": \"drop\", \"when\": \"after-backend\", \"target\": \"upstream\"}", "target",
                        "target upstream does not apply with \"when\": \"after-backend\" (the backend's answer is cut"
                                + " or held on its way to the client)"),
                arguments("{\"type\": \"latency\", \"when\": \"after-backend\", \"target\": \"upstream\"}", "target",
                        "target upstream does not apply with \"when\": \"after-backend\" (the backend's answer is cut"
                                + " or held on its way to the client)"),
                // distribution
                arguments("{\"type\": \"latency\", \"distribution\": \"normal\"}", "distribution",
                        "distribution must be one of uniform, lognormal, got \"normal\""),
                arguments("{\"type\": \"latency\", \"distribution\": \"lognormal\"}", "p99Ms",
                        "p99Ms (the 99th percentile) is required with \"distribution\": \"lognormal\""),
                arguments("{\"type\": \"latency\", \"distribution\": \"lognormal\", \"p99Ms\": 100, \"delayMs\": 100}",
                        "p99Ms", "p99Ms must be greater than delayMs (the median) with distribution lognormal"),
                arguments("{\"type\": \"latency\", \"distribution\": \"lognormal\", \"p99Ms\": 50, \"delayMs\": 100}",
                        "p99Ms", "p99Ms must be greater than delayMs (the median) with distribution lognormal"),
                arguments("{\"type\": \"latency\", \"distribution\": \"lognormal\", \"p99Ms\": 3600001}",
                        "p99Ms", "p99Ms must be <= 3600000 (1 hour)"),
                arguments("{\"type\": \"latency\", \"distribution\": \"lognormal\", \"p99Ms\": 500, \"delayMs\": 0}",
                        "delayMs", "delayMs (the median) must be > 0 with distribution lognormal"),
                arguments("{\"type\": \"latency\", \"distribution\": \"lognormal\", \"p99Ms\": 500, \"jitterMs\": 0}",
                        "jitterMs", "jitterMs does not apply with distribution lognormal (its spread is set by p99Ms)"),
                arguments("{\"type\": \"latency\", \"p99Ms\": 500}", "p99Ms",
                        "p99Ms only applies with \"distribution\": \"lognormal\""),
                arguments("{\"type\": \"latency\", \"distribution\": \"uniform\", \"p99Ms\": 500}", "p99Ms",
                        "p99Ms only applies with \"distribution\": \"lognormal\""),
                arguments("{\"type\": \"latency\", \"p99ms\": 500}", "p99ms",
                        "unknown field \"p99ms\" (did you mean \"p99Ms\"?)"),
                // gRPC
                arguments("{\"type\": \"error\", \"grpcStatus\": 17}", "grpcStatus",
                        "grpcStatus must be 0-16 (a gRPC status code)"),
                arguments("{\"type\": \"error\", \"grpcStatus\": -1}", "grpcStatus",
                        "grpcStatus must be 0-16 (a gRPC status code)"),
                arguments("{\"type\": \"error\", \"grpcStatus\": 4294967310}", "grpcStatus",
                        "grpcStatus must be 0-16 (a gRPC status code)"),
                arguments("{\"type\": \"error\", \"grpcStatus\": \"UNAVAILABLE\"}", "grpcStatus",
                        "grpcStatus must be a whole number"),
                arguments("{\"type\": \"error\", \"grpcStatus\": 14, \"status\": 503}", "status",
                        "status does not apply with grpcStatus (a gRPC answer is HTTP 200; grpcStatus takes its place)"),
                arguments("{\"type\": \"error\", \"grpcStatus\": 14, \"body\": \"x\"}", "body",
                        "body does not apply with grpcStatus (a trailers-only gRPC answer has no body; use grpcMessage)"),
                arguments("{\"type\": \"error\", \"grpcMessage\": \"x\"}", "grpcMessage",
                        "grpcMessage only applies with grpcStatus"),
                arguments("{\"type\": \"error\", \"grpcStatus\": 14, \"grpcMessage\": 5}", "grpcMessage",
                        "grpcMessage must be a string"),
                arguments("{\"type\": \"error\", \"grpcstatus\": 14}", "grpcstatus",
                        "unknown field \"grpcstatus\" (did you mean \"grpcStatus\"?)"),
                arguments("{\"type\": \"hang\", \"grpcStatus\": 14}", "grpcStatus",
                        "grpcStatus does not apply to type hang (hang takes when, afterBytes, direction)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRules")
    void badRuleIsRefusedNamingTheField(String json, String field, String message) {
        FaultSpecException e = catchThrowableOfType(FaultSpecException.class, () -> FaultRuleParser.parse(json));

        assertThat(e).as("expected a FaultSpecException").isNotNull();
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.field()).isEqualTo(field);
    }

    @Test
    void theBuilderRefusesWhatTheParserRefuses() {
        assertThatThrownBy(() -> FaultRule.builder(new Refuse()).probability(0.5).build())
                .hasMessage("probability" + REFUSE_TAIL);
        assertThatThrownBy(() -> FaultRule.builder(new Refuse()).path("/a").build()).hasMessage("match" + REFUSE_TAIL);
        assertThatThrownBy(() -> FaultRule.builder(new Refuse()).times(1).build()).hasMessage("times" + REFUSE_TAIL);
        assertThatThrownBy(() -> FaultRule.builder(new Refuse()).after(2).build()).hasMessage("after" + REFUSE_TAIL);
        assertThatThrownBy(() -> FaultRule.builder(new Drop(DropPoint.AFTER_BACKEND, 0, DropMode.RESET))
                .target(Target.UPSTREAM).build()).hasFieldOrPropertyWithValue("field", "target");
        assertThatThrownBy(() -> Latency.lognormal(100, 100)).hasMessageStartingWith("p99Ms must be greater");
        assertThatThrownBy(() -> new Latency(100, 5, LatencyDistribution.LOGNORMAL, 300, null, null))
                .hasMessageStartingWith("jitterMs does not apply");
        assertThatThrownBy(() -> new Latency(100, 0, LatencyDistribution.UNIFORM, 300, null, null))
                .hasMessageStartingWith("p99Ms only applies");
        assertThatThrownBy(() -> new ErrorResponse(503, "", java.util.Map.of(), 14, null))
                .hasMessageStartingWith("status does not apply with grpcStatus");
        assertThatThrownBy(() -> new ErrorResponse(503, "", java.util.Map.of(), null, "x"))
                .hasMessage("grpcMessage only applies with grpcStatus");
        assertThatThrownBy(() -> new Hang(HangPoint.BEFORE_RESPONSE, 3, null))
                .hasMessage("afterBytes only applies when \"when\" is mid-body");
        assertThatThrownBy(() -> new Slice(0)).hasMessage("sliceBytes must be > 0");
    }
}
