package io.chaosproxy.proxy.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.events.ProxyEvent.PhaseChange;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventLogTest {

    @Test
    void numbersEventsFromOneAndReturnsOnlyThoseAfterTheGivenNumber() {
        EventLog log = new EventLog(10);
        for (int i = 0; i < 4; i++) {
            log.record(new PhaseChange(Instant.EPOCH, "s", i, 0));
        }

        assertThat(log.lastSeq()).isEqualTo(4);
        assertThat(log.after(0, 100)).extracting(EventLog.Numbered::seq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(log.after(2, 100)).extracting(n -> ((PhaseChange) n.event()).phase()).containsExactly(2, 3);
        assertThat(log.after(4, 100)).isEmpty();
    }

    @Test
    void keepsOnlyTheNewestEventsWithinItsCapacityAndTheLimit() {
        EventLog log = new EventLog(3);
        for (int i = 0; i < 7; i++) {
            log.record(new PhaseChange(Instant.EPOCH, "s", i, 0));
        }

        assertThat(log.after(0, 100)).extracting(EventLog.Numbered::seq).containsExactly(5L, 6L, 7L);
        assertThat(log.after(0, 2)).extracting(EventLog.Numbered::seq).containsExactly(6L, 7L);
    }
}
