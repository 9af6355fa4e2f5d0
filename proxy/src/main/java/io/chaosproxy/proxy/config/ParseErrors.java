package io.chaosproxy.proxy.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * One-line descriptions of JSON and YAML syntax errors, as {@code line 3, column 5: what is wrong}.
 * SnakeYAML's first line is often only the context ("while parsing a block collection"); the
 * problem itself, and where it is, come from the marked exception underneath.
 */
public final class ParseErrors {
    private ParseErrors() {}

    public static String describe(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblem() != null) {
            Mark mark = yaml.getProblemMark();
            String where = mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
            String context = yaml.getContext() == null ? "" : " (" + yaml.getContext() + ")";
            return where + yaml.getProblem() + context;
        }
        JsonLocation location = e.getLocation();
        String where = location == null || location.getLineNr() <= 0 ? ""
                : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
        return where + firstLine(e.getOriginalMessage());
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unreadable document";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
