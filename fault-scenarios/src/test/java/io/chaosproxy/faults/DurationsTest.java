package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource({
            "250ms, 250",
            "2s,    2000",
            "1m,    60000",
            "1h,    3600000",
            "1500,  1500",
            "0,     0",
            "' 5s ', 5000",
    })
    void readsEveryUnitAndBareMilliseconds(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "5 s", "1.5s", "-5s", "5d", "5S", "ms"})
    void refusesAnythingElseQuotingTheInput(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a duration like 250ms, 2s, 1m or a number of milliseconds, got '"
                        + text + "'");
    }

    @ParameterizedTest
    @NullSource
    void refusesNull(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesDurationsTooLargeForMilliseconds() {
        assertThatThrownBy(() -> Durations.parse("9999999999999999999h"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duration '9999999999999999999h' is too large");
        assertThatThrownBy(() -> Durations.parse("9223372036854776s"))
                .hasMessage("duration '9223372036854776s' is too large");
    }

    @ParameterizedTest(name = "{0} ms is written {1}")
    @CsvSource({"0, 0ms", "250, 250ms", "2000, 2s", "90000, 90s", "120000, 2m", "3600000, 1h", "5400000, 90m"})
    void formatsInTheLargestExactUnit(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }
}
