package io.chaosproxy.proxy.tracing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.journal.ExchangeListener;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.ConnectionRecord;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalEntryJson;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One line per exchange, as text or JSON, formatted and written by a background thread so neither
 * the formatting nor a slow terminal slows a request. When the queue is full (a terminal far slower
 * than the traffic) lines are dropped and counted, rather than blocking the proxy.
 */
public final class AccessLog implements ExchangeListener, AutoCloseable {

    /** The line formats of {@code --log-format}. */
    public enum Format { TEXT, JSON }

    private static final int QUEUE_CAPACITY = 65_536;
    /**
     * After waking, the writer lets lines gather this long: a busy proxy then wakes it about a
     * hundred times a second instead of once per request, and a line is at most this late.
     */
    private static final long BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private record Line(JournalEntry entry, String query) {}

    private final Format format;
    private final PrintStream out;
    private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean idle; // the writer is parked with nothing to write: the next line wakes it
    private volatile boolean closed;

    public AccessLog(Format format, PrintStream out) {
        this.format = format;
        this.out = out;
        this.writer = new Thread(this::drain, "chaos-proxy-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void onExchange(JournalEntry entry, String query, List<InstalledRule> firedRules) {
        if (!queue.offer(new Line(entry, query))) {
            dropped.incrementAndGet();
        } else if (idle) {
            LockSupport.unpark(writer);
        }
    }

    public long droppedLines() {
        return dropped.get();
    }

    static String text(JournalEntry entry, String query) {
        if (entry.isConnection()) {
            return connectionText(entry);
        }
        StringBuilder line = new StringBuilder(160);
        line.append(entry.startedAt()).append(' ')
                .append(entry.proxy()).append(' ')
                .append(entry.method()).append(' ')
                .append(entry.path());
        if (query != null) {
            line.append('?').append(query);
        }
        line.append(' ').append(entry.status() == null ? "-" : entry.status().toString())
                .append(' ').append(entry.durationMs()).append("ms")
                .append(" id=").append(entry.requestId());
        if (!entry.attempts().isEmpty()) {
            line.append(" backends=");
            for (int i = 0; i < entry.attempts().size(); i++) {
                Attempt attempt = entry.attempts().get(i);
                if (i > 0) {
                    line.append(',');
                }
                line.append(attempt.backend()).append(':')
                        .append(attempt.status() != null ? attempt.status().toString() : attempt.error().replace(' ', '_'))
                        .append(':').append(attempt.durationMs()).append("ms");
            }
        }
        if (!entry.faults().isEmpty()) {
            line.append(" faults=").append(String.join(",", entry.faults()));
        }
        if (entry.error() != null) {
            line.append(" error=\"").append(entry.error().replace('"', '\'')).append('"');
        }
        return line.toString();
    }

    /** A TCP connection: {@code time proxy tcp client -> backend end up=N down=N 12ms id=tcp-3 faults=...}. */
    static String connectionText(JournalEntry entry) {
        ConnectionRecord connection = entry.connection();
        StringBuilder line = new StringBuilder(160);
        line.append(entry.startedAt()).append(' ').append(entry.proxy()).append(" tcp ")
                .append(connection.client()).append(" -> ").append(connection.backend() == null ? "-" : connection.backend())
                .append(' ').append(connection.end())
                .append(" up=").append(connection.bytesUp()).append(" down=").append(connection.bytesDown())
                .append(' ').append(entry.durationMs()).append("ms id=").append(entry.requestId());
        if (!entry.faults().isEmpty()) {
            line.append(" faults=").append(String.join(",", entry.faults()));
        }
        if (entry.error() != null) {
            line.append(" error=\"").append(entry.error().replace('"', '\'')).append('"');
        }
        return line.toString();
    }

    /** The journal entry exactly as {@code GET /requests} shows it, plus the request's {@code query}. */
    static String json(JournalEntry entry, String query) {
        ObjectNode json = JournalEntryJson.toJson(entry);
        json.put("query", query);
        return json.toString();
    }

    private void drain() {
        while (true) {
            Line line = queue.poll();
            if (line == null) {
                out.flush();
                if (closed) {
                    return;
                }
                idle = true;
                if (queue.isEmpty() && !closed) { // a line offered before idle was set is seen here
                    LockSupport.parkNanos(this, IDLE_NANOS);
                }
                idle = false;
                LockSupport.parkNanos(this, BATCH_NANOS);
                continue;
            }
            out.println(format == Format.JSON ? json(line.entry(), line.query()) : text(line.entry(), line.query()));
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.flush();
    }
}
