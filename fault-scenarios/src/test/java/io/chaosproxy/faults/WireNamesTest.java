package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WireNamesTest {

    @ParameterizedTest
    @EnumSource(FaultType.class)
    void everyFaultTypeReadsBackFromItsWireName(FaultType type) {
        assertThat(FaultType.fromWireName(type.wireName())).isEqualTo(type);
    }

    @Test
    void wireNamesAreTheContractSpellings() {
        assertThat(FaultType.LATENCY.wireName()).isEqualTo("latency");
        assertThat(Target.UPSTREAM.wireName()).isEqualTo("upstream");
        assertThat(DropPoint.BEFORE_RESPONSE.wireName()).isEqualTo("before-response");
        assertThat(DropPoint.AFTER_HEADERS.wireName()).isEqualTo("after-headers");
        assertThat(DropPoint.MID_BODY.wireName()).isEqualTo("mid-body");
        assertThat(DropMode.RESET.wireName()).isEqualTo("reset");
        assertThat(RampField.DELAY_MS.wireName()).isEqualTo("delayMs");
    }

    @Test
    void unknownTypeListsTheValidOnes() {
        assertThatThrownBy(() -> FaultType.fromWireName("LATENCY"))
                .isInstanceOf(FaultSpecException.class)
                .hasMessage("type must be one of latency, error, drop, bandwidth, hang, refuse, slice, got \"LATENCY\"")
                .extracting(e -> ((FaultSpecException) e).field()).isEqualTo("type");
    }

    @Test
    void everyEnumReadsItsOwnSpellings() {
        assertThat(Target.fromWireName("client")).isEqualTo(Target.CLIENT);
        assertThat(DropPoint.fromWireName("mid-body")).isEqualTo(DropPoint.MID_BODY);
        assertThat(DropMode.fromWireName("close")).isEqualTo(DropMode.CLOSE);
        assertThat(RampField.fromWireName("probability")).isEqualTo(RampField.PROBABILITY);
    }

    @Test
    void onlyErrorDropAndHangAreTerminal() {
        assertThat(FaultType.values()).filteredOn(FaultType::isTerminal)
                .containsExactly(FaultType.ERROR, FaultType.DROP, FaultType.HANG);
    }
}
