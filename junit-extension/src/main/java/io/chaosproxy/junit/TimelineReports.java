package io.chaosproxy.junit;

import io.chaosproxy.proxy.events.ProxyEvent;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.opentest4j.TestAbortedException;

/**
 * Writes a test's {@link Timeline} as HTML when its {@link TimelineReport} mode asks for it: marks
 * the test's start, and after it collects what the proxy saw since, writes
 * {@code target/chaos-proxy/Class.method.html} and puts the path into the failure's output.
 * The directory can be moved with the JUnit configuration parameter {@value #DIRECTORY_PARAMETER}.
 */
final class TimelineReports {
    static final String DIRECTORY_PARAMETER = "chaosproxy.report.dir";
    static final Path DEFAULT_DIRECTORY = Path.of("target", "chaos-proxy");
    private static final Namespace NAMESPACE = Namespace.create(TimelineReports.class);
    private static final String STARTED = "started";
    /** The last segment of a repeated or parameterized test's unique id, e.g. {@code [test-template-invocation:#2]}. */
    private static final Pattern INVOCATION = Pattern.compile("invocation:#(\\d+)]$");

    private TimelineReports() {}

    /** Before the test body (after the reset): from here on, what the proxy sees is this test's. */
    static void testStarts(ExtensionContext context) {
        context.getStore(NAMESPACE).put(STARTED, Instant.now());
    }

    /**
     * After the test body: writes the report if the handle's {@link TimelineReport} mode asks for
     * it, naming the test's seed with {@code replayHint} (null: the proxy's own seed). A report that
     * cannot be written never fails the test.
     */
    static void testEnded(ExtensionContext context, ChaosProxy handle, String replayHint) {
        TimelineReport mode = handle.timelineReport();
        Optional<Throwable> thrown = context.getExecutionException().filter(t -> !(t instanceof TestAbortedException));
        Instant started = context.getStore(NAMESPACE).remove(STARTED, Instant.class);
        if (started == null || !mode.writesFor(thrown.isPresent())) {
            return;
        }
        try {
            Path file = write(context, handle.control(), started, thrown.orElse(null), replayHint);
            String where = "chaos-proxy timeline of " + testName(context) + ": " + file.toUri();
            context.publishReportEntry("chaos-proxy-timeline", file.toString());
            if (thrown.isPresent()) {
                thrown.get().addSuppressed(new ReportWritten(where));
                System.err.println(where);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("chaos-proxy: could not write the timeline of " + testName(context) + ": " + e);
        }
    }

    private static Path write(ExtensionContext context, ProxyControl control, Instant started, Throwable failure,
                              String replayHint) throws IOException {
        List<JournalEntry> exchanges = control.requests(JournalQuery.ALL).stream()
                .filter(entry -> entry.startedAt() == null || !entry.startedAt().isBefore(started))
                .toList();
        List<ProxyEvent> events = control.events().stream().filter(event -> !event.at().isBefore(started)).toList();
        Timeline timeline = new Timeline(context.getRequiredTestClass().getName(), testName(context),
                failure == null ? null : String.valueOf(failure),
                replayHint != null ? replayHint.replaceFirst("^chaos-proxy: ", "") : "the proxy ran with seed " + control.seed(),
                started, Instant.now(), exchanges, events);
        Path directory = context.getConfigurationParameter(DIRECTORY_PARAMETER).map(Path::of).orElse(DEFAULT_DIRECTORY);
        Files.createDirectories(directory);
        Path file = directory.resolve(fileName(context)).toAbsolutePath();
        Files.writeString(file, TimelineHtml.render(timeline), StandardCharsets.UTF_8);
        return file;
    }

    /** {@code OrderTest.retriesOnce.html}; each run of a repeated or parameterized test adds its number, so each keeps its own file. */
    static String fileName(ExtensionContext context) {
        String name = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        Matcher invocation = INVOCATION.matcher(context.getUniqueId());
        if (invocation.find()) {
            name += "-" + invocation.group(1);
        }
        return name.replaceAll("[^A-Za-z0-9._-]+", "_") + ".html";
    }

    private static String testName(ExtensionContext context) {
        String method = context.getRequiredTestMethod().getName() + "()";
        return INVOCATION.matcher(context.getUniqueId()).find() ? method + " [" + context.getDisplayName() + "]" : method;
    }

    /** Carries the report's path into the failure's output, which is where a developer looks; no stack trace of its own. */
    static final class ReportWritten extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReportWritten(String message) {
            super(message, null, false, false);
        }
    }
}
