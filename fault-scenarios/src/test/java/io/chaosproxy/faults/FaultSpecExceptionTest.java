package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FaultSpecExceptionTest {

    @Test
    void underPrefixesAMessageThatStartsWithItsField() {
        FaultSpecException e = new FaultSpecException("delayMs", "delayMs must be >= 0").under("faults[2]");

        assertThat(e.field()).isEqualTo("faults[2].delayMs");
        assertThat(e).hasMessage("faults[2].delayMs must be >= 0");
    }

    @Test
    void underPutsTheParentBeforeOtherMessages() {
        FaultSpecException e = new FaultSpecException("x", "unknown field \"x\"").under("faults[0]");

        assertThat(e.field()).isEqualTo("faults[0].x");
        assertThat(e).hasMessage("faults[0]: unknown field \"x\"");
    }

    @Test
    void underGivesAWholeDocumentErrorTheParentAsItsField() {
        FaultSpecException e = new FaultSpecException(null, "a fault rule must be a JSON object").under("faults[1]");

        assertThat(e.field()).isEqualTo("faults[1]");
        assertThat(e).hasMessage("faults[1]: a fault rule must be a JSON object");
    }

    @Test
    void underNestsRepeatedly() {
        FaultSpecException e = new FaultSpecException("status", "status must be 400-599")
                .under("faults[0]").under("phases[1]");

        assertThat(e.field()).isEqualTo("phases[1].faults[0].status");
        assertThat(e).hasMessage("phases[1].faults[0].status must be 400-599");
    }

    @Test
    void nameTakenIsAFaultSpecExceptionOnName() {
        NameTakenException e = new NameTakenException("x", "name \"x\" is already taken by rule f1");

        assertThat(e).isInstanceOf(FaultSpecException.class);
        assertThat(e.field()).isEqualTo("name");
        assertThat(e.name()).isEqualTo("x");
    }
}
