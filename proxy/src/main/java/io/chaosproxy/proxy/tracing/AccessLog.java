package io.chaosproxy.proxy.tracing;

import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.journal.ExchangeListener;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.ConnectionRecord;
import io.chaosproxy.proxy.journal.JournalEntry;
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

    static String json(JournalEntry entry, String query) {
        if (entry.isConnection()) {
            return connectionJson(entry);
        }
        StringBuilder line = new StringBuilder(256).append('{');
        field(line, "time", entry.startedAt().toString()).append(',');
        field(line, "requestId", entry.requestId()).append(',');
        field(line, "proxy", entry.proxy()).append(',');
        field(line, "method", entry.method()).append(',');
        field(line, "path", entry.path()).append(',');
        field(line, "query", query).append(',');
        line.append("\"status\":").append(entry.status()).append(',');
        line.append("\"durationMs\":").append(entry.durationMs()).append(',');
        line.append("\"attempts\":[");
        for (int i = 0; i < entry.attempts().size(); i++) {
            Attempt attempt = entry.attempts().get(i);
            if (i > 0) {
                line.append(',');
            }
            line.append('{');
            field(line, "backend", attempt.backend()).append(',');
            line.append("\"status\":").append(attempt.status()).append(',');
            field(line, "error", attempt.error()).append(',');
            line.append("\"durationMs\":").append(attempt.durationMs()).append('}');
        }
        line.append("],\"faults\":[");
        for (int i = 0; i < entry.faults().size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(JsonText.quote(entry.faults().get(i)));
        }
        line.append("],");
        field(line, "error", entry.error());
        return line.append('}').toString();
    }

    static String connectionJson(JournalEntry entry) {
        ConnectionRecord connection = entry.connection();
        StringBuilder line = new StringBuilder(256).append('{');
        field(line, "time", entry.startedAt().toString()).append(',');
        field(line, "connectionId", entry.requestId()).append(',');
        field(line, "proxy", entry.proxy()).append(',');
        field(line, "protocol", connection.protocol()).append(',');
        field(line, "client", connection.client()).append(',');
        field(line, "backend", connection.backend()).append(',');
        line.append("\"bytesUp\":").append(connection.bytesUp()).append(',');
        line.append("\"bytesDown\":").append(connection.bytesDown()).append(',');
        field(line, "end", connection.end()).append(',');
        line.append("\"durationMs\":").append(entry.durationMs()).append(",\"faults\":[");
        for (int i = 0; i < entry.faults().size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(JsonText.quote(entry.faults().get(i)));
        }
        line.append("],");
        field(line, "error", entry.error());
        return line.append('}').toString();
    }

    private static StringBuilder field(StringBuilder line, String name, String value) {
        return line.append('"').append(name).append("\":").append(JsonText.quote(value));
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
