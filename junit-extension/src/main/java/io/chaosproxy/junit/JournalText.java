package io.chaosproxy.junit;

import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.ConnectionRecord;
import io.chaosproxy.proxy.journal.JournalEntry;
import java.util.List;

/** Journal entries as one line each, the way a failed assertion shows them. */
final class JournalText {
    private JournalText() {}

    /** The newest {@code max} entries, each on its own indented line; "(none)" when empty. */
    static String lines(List<JournalEntry> entries, int max) {
        if (entries.isEmpty()) {
            return "\n  (none)";
        }
        StringBuilder text = new StringBuilder();
        int skipped = Math.max(0, entries.size() - max);
        if (skipped > 0) {
            text.append("\n  ... ").append(skipped).append(" earlier not shown");
        }
        for (JournalEntry entry : entries.subList(skipped, entries.size())) {
            text.append("\n  ").append(line(entry));
        }
        return text.toString();
    }

    /** {@code POST /payments/charges -> 503 (12 ms) faults [f1] attempts [] proxy default id 3f2a...}. */
    static String line(JournalEntry entry) {
        StringBuilder line = new StringBuilder();
        if (entry.isConnection()) {
            ConnectionRecord connection = entry.connection();
            line.append("tcp ").append(connection.client()).append(" -> ")
                    .append(connection.backend() == null ? "no backend" : connection.backend())
                    .append(' ').append(connection.end()).append(" up ").append(connection.bytesUp())
                    .append(" B down ").append(connection.bytesDown()).append(" B (").append(entry.durationMs()).append(" ms)");
            if (!entry.faults().isEmpty()) {
                line.append(" faults ").append(entry.faults());
            }
            if (entry.error() != null) {
                line.append(" error: ").append(entry.error());
            }
            return line.append(" proxy ").append(entry.proxy()).append(" id ").append(entry.requestId()).toString();
        }
        line.append(entry.method()).append(' ').append(entry.path()).append(" -> ")
                .append(entry.status() == null ? "no response" : entry.status().toString())
                .append(" (").append(entry.durationMs()).append(" ms)");
        if (!entry.faults().isEmpty()) {
            line.append(" faults ").append(entry.faults());
        }
        line.append(" attempts [");
        for (int i = 0; i < entry.attempts().size(); i++) {
            Attempt attempt = entry.attempts().get(i);
            line.append(i == 0 ? "" : ", ").append(attempt.backend()).append(' ')
                    .append(attempt.status() != null ? attempt.status().toString() : attempt.error())
                    .append(" (").append(attempt.durationMs()).append(" ms)");
            if (!attempt.faults().isEmpty()) {
                line.append(" faults ").append(attempt.faults());
            }
        }
        line.append(']');
        if (entry.error() != null) {
            line.append(" error: ").append(entry.error());
        }
        if (entry.scenario() != null) {
            line.append(" scenario ").append(entry.scenario());
        }
        line.append(" proxy ").append(entry.proxy()).append(" id ").append(entry.requestId());
        return line.toString();
    }
}
