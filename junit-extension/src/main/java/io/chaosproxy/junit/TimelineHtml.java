package io.chaosproxy.junit;

import io.chaosproxy.proxy.events.ProxyEvent;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.JournalEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Renders a {@link Timeline} as one self-contained HTML page: an SVG time axis with a row per
 * exchange (its attempts as segments, its faults named) and a line per breaker transition or
 * scenario phase, then the same facts as tables. No script and no external file, so the page opens
 * from a CI artifact as it is.
 */
final class TimelineHtml {
    private static final int LABEL_WIDTH = 330;
    private static final int PLOT_WIDTH = 760;
    private static final int ROW_HEIGHT = 22;
    private static final int TOP = 56;

    private TimelineHtml() {}

    static String render(Timeline timeline) {
        long spanMs = Math.max(1, spanMillis(timeline));
        StringBuilder html = new StringBuilder(16_384);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc("chaos-proxy timeline: " + timeline.testName())).append("</title>\n<style>")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d2430}")
                .append("h1{font-size:1.3em;margin:0 0 .3em}code,.mono{font-family:ui-monospace,monospace;font-size:.92em}")
                .append(".failed{color:#b3261e;white-space:pre-wrap}.passed{color:#1e7d3a}")
                .append("table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{text-align:left;padding:.15em .6em;border-bottom:1px solid #e4e7eb;vertical-align:top}")
                .append("svg{border:1px solid #dde1e6;background:#fff}svg text{font:12px system-ui,sans-serif}")
                .append(".s2xx{fill:#2e9d4f}.s3xx{fill:#3b6fb6}.s4xx{fill:#d88a00}.s5xx{fill:#c8372d}.sdropped{fill:#6b2fb3}.serror{fill:#c8372d}")
                .append("</style></head><body>\n");
        html.append("<h1>").append(esc(timeline.testClass())).append(" › ").append(esc(timeline.testName())).append("</h1>\n");
        if (timeline.failure() != null) {
            html.append("<p class=\"failed\" id=\"failure\">FAILED: ").append(esc(timeline.failure())).append("</p>\n");
        } else {
            html.append("<p class=\"passed\">passed</p>\n");
        }
        html.append("<p id=\"seed\">Seed: ").append(esc(timeline.seed())).append("</p>\n");
        html.append("<p>").append(timeline.exchanges().size()).append(" exchanges and ").append(timeline.events().size())
                .append(" events from ").append(timeline.start()).append(", over ").append(spanMs).append(" ms.</p>\n");
        svg(html, timeline, spanMs);
        exchangeTable(html, timeline);
        eventTable(html, timeline);
        return html.append("</body></html>\n").toString();
    }

    private static void svg(StringBuilder html, Timeline timeline, long spanMs) {
        List<JournalEntry> exchanges = timeline.exchanges();
        int height = TOP + Math.max(1, exchanges.size()) * ROW_HEIGHT + 20;
        int width = LABEL_WIDTH + PLOT_WIDTH + 40;
        html.append("<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\">\n");
        // the axis: five ticks in milliseconds from the test's start
        for (int tick = 0; tick <= 4; tick++) {
            long ms = spanMs * tick / 4;
            double x = x(ms, spanMs);
            html.append("<line x1=\"").append(x).append("\" y1=\"20\" x2=\"").append(x).append("\" y2=\"").append(height - 10)
                    .append("\" stroke=\"#eef0f3\"/><text x=\"").append(x).append("\" y=\"14\" text-anchor=\"middle\">")
                    .append(ms).append(" ms</text>\n");
        }
        int eventRow = 0;
        for (ProxyEvent event : timeline.events()) {
            double x = x(millisBetween(timeline.start(), event.at()), spanMs);
            String text = describe(event);
            boolean rightHalf = x > LABEL_WIDTH + PLOT_WIDTH / 2.0; // label to the left of the line, inside the picture
            html.append("<g class=\"event\" data-type=\"").append(kind(event)).append("\"><line x1=\"").append(x)
                    .append("\" y1=\"22\" x2=\"").append(x).append("\" y2=\"").append(height - 10)
                    .append("\" stroke=\"").append(event instanceof ProxyEvent.BreakerTransition ? "#c8372d" : "#3b6fb6")
                    .append("\" stroke-dasharray=\"4 3\"/><text x=\"").append(rightHalf ? x - 3 : x + 3)
                    .append("\" text-anchor=\"").append(rightHalf ? "end" : "start").append("\" y=\"").append(34 + (eventRow++ % 2) * 12)
                    .append("\" fill=\"#4a5566\">").append(esc(text)).append("</text><title>").append(esc(event.at() + " " + text))
                    .append("</title></g>\n");
        }
        for (int i = 0; i < exchanges.size(); i++) {
            row(html, timeline, exchanges.get(i), TOP + i * ROW_HEIGHT, spanMs);
        }
        html.append("</svg>\n");
    }

    private static void row(StringBuilder html, Timeline timeline, JournalEntry entry, int y, long spanMs) {
        long startMs = entry.startedAt() == null ? 0 : millisBetween(timeline.start(), entry.startedAt());
        String status = statusText(entry);
        html.append("<g class=\"exchange\" data-request-id=\"").append(esc(entry.requestId())).append("\" data-status=\"")
                .append(esc(status)).append("\" data-faults=\"").append(esc(String.join(" ", entry.faults()))).append("\">");
        html.append("<text x=\"4\" y=\"").append(y + 15).append("\">").append(esc(truncate(entry.method() + " " + entry.path(), 34)))
                .append(" → ").append(esc(status)).append("</text>");
        // attempts one after another from the exchange's start: the journal keeps each one's duration, not its start
        double x = x(startMs, spanMs);
        double end = x(startMs + entry.durationMs(), spanMs);
        html.append("<rect x=\"").append(x).append("\" y=\"").append(y + 4).append("\" width=\"").append(Math.max(2, end - x))
                .append("\" height=\"14\" fill=\"#e4e7eb\"><title>").append(esc(entry.requestId() + ": " + entry.durationMs() + " ms"))
                .append("</title></rect>");
        long offset = startMs;
        for (Attempt attempt : entry.attempts()) {
            double ax = x(offset, spanMs);
            double aw = Math.max(2, x(offset + attempt.durationMs(), spanMs) - ax);
            String outcome = attempt.status() != null ? attempt.status().toString() : attempt.error();
            html.append("<rect class=\"attempt ").append(cssClass(attempt.status())).append("\" x=\"").append(ax).append("\" y=\"")
                    .append(y + 6).append("\" width=\"").append(aw).append("\" height=\"10\"><title>")
                    .append(esc(attempt.backend() + " → " + outcome + " (" + attempt.durationMs() + " ms)")).append("</title></rect>");
            offset += attempt.durationMs();
        }
        if (entry.attempts().isEmpty()) {
            html.append("<rect class=\"").append(cssClass(entry.status())).append("\" x=\"").append(x).append("\" y=\"").append(y + 6)
                    .append("\" width=\"").append(Math.max(2, end - x)).append("\" height=\"10\"/>");
        }
        if (!entry.faults().isEmpty()) {
            boolean roomOnTheRight = end + 120 < LABEL_WIDTH + PLOT_WIDTH;
            html.append("<text class=\"faults\" x=\"").append(roomOnTheRight ? end + 4 : x - 4).append("\" text-anchor=\"")
                    .append(roomOnTheRight ? "start" : "end").append("\" y=\"")
                    .append(y + 15).append("\" fill=\"#c8372d\">⚡ ").append(esc(String.join(", ", entry.faults()))).append("</text>");
        }
        html.append("</g>\n");
    }

    private static void exchangeTable(StringBuilder html, Timeline timeline) {
        html.append("<h2>Exchanges</h2>\n<table id=\"exchanges\"><thead><tr><th>+ms</th><th>request id</th><th>trace id</th><th>proxy</th>")
                .append("<th>request</th><th>status</th><th>attempts (backend → outcome)</th><th>faults</th><th>ms</th></tr></thead><tbody>\n");
        for (JournalEntry entry : timeline.exchanges()) {
            html.append("<tr><td>").append(entry.startedAt() == null ? "" : millisBetween(timeline.start(), entry.startedAt()))
                    .append("</td><td class=\"mono\">").append(esc(entry.requestId()))
                    .append("</td><td class=\"mono\">").append(esc(entry.traceId() == null ? "" : entry.traceId()))
                    .append("</td><td>").append(esc(entry.proxy()))
                    .append("</td><td class=\"mono\">").append(esc(entry.method() + " " + entry.path()))
                    .append("</td><td>").append(esc(statusText(entry))).append(entry.error() == null ? "" : " (" + esc(entry.error()) + ")")
                    .append("</td><td class=\"mono\">");
            for (Attempt attempt : entry.attempts()) {
                html.append(esc(attempt.backend())).append(" → ")
                        .append(esc(attempt.status() != null ? attempt.status().toString() : attempt.error()))
                        .append(" (").append(attempt.durationMs()).append(" ms)<br>");
            }
            html.append("</td><td class=\"mono\">").append(esc(String.join(", ", entry.faults())))
                    .append(entry.scenario() == null ? "" : " (" + esc(entry.scenario()) + ")")
                    .append("</td><td>").append(entry.durationMs()).append("</td></tr>\n");
        }
        html.append("</tbody></table>\n");
    }

    private static void eventTable(StringBuilder html, Timeline timeline) {
        html.append("<h2>Breaker and scenario events</h2>\n<table id=\"events\"><thead><tr><th>+ms</th><th>event</th></tr></thead><tbody>\n");
        for (ProxyEvent event : timeline.events()) {
            html.append("<tr><td>").append(millisBetween(timeline.start(), event.at())).append("</td><td>")
                    .append(esc(describe(event))).append("</td></tr>\n");
        }
        if (timeline.events().isEmpty()) {
            html.append("<tr><td></td><td>none</td></tr>\n");
        }
        html.append("</tbody></table>\n");
    }

    static String describe(ProxyEvent event) {
        if (event instanceof ProxyEvent.BreakerTransition b) {
            return "breaker " + b.backend() + " (" + b.proxy() + "): " + b.from() + " → " + b.to();
        }
        if (event instanceof ProxyEvent.PhaseChange p) {
            return "scenario " + p.scenario() + ": phase " + (p.phase() + 1) + (p.round() > 0 ? ", round " + (p.round() + 1) : "");
        }
        ProxyEvent.ScenarioEnd end = (ProxyEvent.ScenarioEnd) event;
        return "scenario " + end.scenario() + " ended: " + end.reason();
    }

    private static String kind(ProxyEvent event) {
        if (event instanceof ProxyEvent.BreakerTransition) {
            return "breaker";
        }
        return event instanceof ProxyEvent.PhaseChange ? "phase" : "scenario-end";
    }

    private static long spanMillis(Timeline timeline) {
        long span = millisBetween(timeline.start(), timeline.end());
        for (JournalEntry entry : timeline.exchanges()) {
            if (entry.startedAt() != null) {
                span = Math.max(span, millisBetween(timeline.start(), entry.startedAt()) + entry.durationMs());
            }
        }
        return span;
    }

    private static long millisBetween(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis());
    }

    private static double x(long ms, long spanMs) {
        return LABEL_WIDTH + Math.round(PLOT_WIDTH * 10.0 * ms / spanMs) / 10.0;
    }

    private static String statusText(JournalEntry entry) {
        return entry.status() == null ? "no response" : entry.status().toString();
    }

    private static String cssClass(Integer status) {
        return status == null ? "sdropped" : "s" + status / 100 + "xx";
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** Text into HTML, inside elements or attribute values alike. */
    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
