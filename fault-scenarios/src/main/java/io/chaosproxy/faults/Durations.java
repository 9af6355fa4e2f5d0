package io.chaosproxy.faults;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and writes the durations users type: {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}, or bare milliseconds. */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,19})(ms|s|m|h)?");

    private Durations() {
    }

    /**
     * Parses a whole number with an optional unit ({@code ms}, {@code s}, {@code m}, {@code h});
     * no unit means milliseconds. Anything else is an {@link IllegalArgumentException} whose
     * message quotes the input.
     */
    public static Duration parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        Matcher matcher = DURATION.matcher(trimmed);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "expected a duration like 250ms, 2s, 1m or a number of milliseconds, got '" + text + "'");
        }
        try {
            long amount = Long.parseLong(matcher.group(1));
            String unit = matcher.group(2) == null ? "ms" : matcher.group(2);
            Duration duration = switch (unit) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofMillis(amount);
            };
            duration.toMillis(); // throws when it cannot be used as milliseconds, as every caller does
            return duration;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration '" + text + "' is too large");
        }
    }

    /** The shortest exact form {@link #parse} reads back: {@code 90s} stays {@code 90s}, {@code 120s} is {@code 2m}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis != 0 && millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
