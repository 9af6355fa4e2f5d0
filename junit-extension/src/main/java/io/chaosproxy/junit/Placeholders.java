package io.chaosproxy.junit;

import java.util.Optional;
import java.util.function.Function;

/**
 * Expands {@code ${name}} and {@code ${name:default}} in annotation values, so a class can say
 * {@code upstream = "${PAYMENTS_URL}"} and CI decide where that is.
 */
final class Placeholders {
    private Placeholders() {}

    /**
     * Replaces every placeholder with what {@code lookup} finds for its name, or its default; a
     * placeholder with neither is an {@link IllegalArgumentException} that names it.
     */
    static String resolve(String text, Function<String, Optional<String>> lookup) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (true) {
            int start = text.indexOf("${", from);
            if (start < 0) {
                return out.append(text, from, text.length()).toString();
            }
            int end = text.indexOf('}', start + 2);
            if (end < 0) {
                throw new IllegalArgumentException("\"" + text + "\" has a placeholder without its closing '}'");
            }
            String inside = text.substring(start + 2, end);
            int colon = inside.indexOf(':');
            String name = (colon < 0 ? inside : inside.substring(0, colon)).strip();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("\"" + text + "\" has a placeholder without a name");
            }
            String value = lookup.apply(name).orElse(colon < 0 ? null : inside.substring(colon + 1));
            if (value == null) {
                throw new IllegalArgumentException("placeholder ${" + name + "} in \"" + text
                        + "\" is neither a system property, a JUnit configuration parameter nor an environment variable"
                        + " (write ${" + name + ":default} to give a fallback)");
            }
            out.append(text, from, start).append(value);
            from = end + 1;
        }
    }
}
