package io.chaosproxy.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A compiled path pattern: {@code *} is one segment, {@code **} any number of segments.
 *
 * <p>Patterns are matched segment by segment on {@code '/'}:
 * <ul>
 *   <li>{@code /orders/*} matches {@code /orders/42} but not {@code /orders/42/items};</li>
 *   <li>{@code /orders/**} matches {@code /orders}, {@code /orders/42} and {@code /orders/42/items};</li>
 *   <li>{@code *} may sit inside a segment: {@code /files/*.json} matches {@code /files/a.json};</li>
 *   <li>{@code /} matches only the root; {@code /**} matches every path.</li>
 * </ul>
 * A single trailing slash is ignored on both sides ({@code /orders/} is {@code /orders}), the
 * query string is never part of the path, and characters are compared exactly (no decoding).
 *
 * <p>Matching never backtracks more than once per star, so it is linear-ish in the path length
 * whatever the pattern: no regular expressions, no catastrophic cases.
 */
public final class PathGlob {

    private static final int MAX_LENGTH = 2048;

    private final String pattern;
    /** The fixed runs of segment patterns between {@code **}s; one run means no {@code **}. */
    private final List<List<SegmentPattern>> runs;
    /**
     * What every matching path starts with: the glob up to its first wildcard, without a trailing
     * slash. Checked first, so that a request costs the many rules it does not match next to nothing.
     */
    private final String literalPrefix;

    private PathGlob(String pattern, List<List<SegmentPattern>> runs) {
        this.pattern = pattern;
        this.runs = runs;
        int wildcard = pattern.indexOf('*');
        String prefix = wildcard < 0 ? pattern : pattern.substring(0, wildcard);
        this.literalPrefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    /** Compiles a glob; a glob that can never be right is a {@link FaultSpecException} on "match.path". */
    public static PathGlob compile(String glob) {
        String field = "match.path";
        if (glob == null || !glob.startsWith("/")) {
            throw new FaultSpecException(field, field + " must start with '/', e.g. /orders/**");
        }
        if (glob.length() > MAX_LENGTH) {
            throw new FaultSpecException(field, field + " must be at most " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '?' || c == '#') {
                throw new FaultSpecException(field,
                        field + " must not contain '" + c + "': the query string is not part of the path");
            }
            if (c <= ' ' || c == 0x7f) {
                throw new FaultSpecException(field, field + " must not contain spaces or control characters");
            }
        }
        List<List<SegmentPattern>> runs = new ArrayList<>();
        List<SegmentPattern> run = new ArrayList<>();
        for (String segment : split(glob)) {
            if (segment.equals("**")) {
                // Consecutive ** make empty runs in between, which match anywhere: harmless.
                runs.add(List.copyOf(run));
                run = new ArrayList<>();
            } else if (segment.contains("**")) {
                throw new FaultSpecException(field,
                        field + " may use ** only as a whole segment, as in /orders/**");
            } else {
                run.add(SegmentPattern.of(segment));
            }
        }
        runs.add(List.copyOf(run));
        return new PathGlob(glob, List.copyOf(runs));
    }

    /** Whether the path (no query string) fits the pattern. */
    public boolean matches(String path) {
        if (path == null || !path.startsWith(literalPrefix)) {
            return false;
        }
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.isEmpty()) {
            path = "/";
        }
        if (!path.startsWith("/")) {
            return false;
        }
        return matchSegments(split(path));
    }

    /** The glob as written. */
    public String pattern() {
        return pattern;
    }

    /**
     * The whole segments every matching path starts with: the pattern's leading segments up to the
     * first one with a {@code *} (or a {@code **}). {@code /api/orders/**} gives {@code [api, orders]},
     * {@code /files/*.json} gives {@code [files]}, {@code /**} none. For {@link RuleIndex}.
     */
    List<String> literalSegments() {
        List<String> literal = new ArrayList<>();
        for (SegmentPattern segment : runs.get(0)) {
            if (segment.pieces.length != 1) {
                break;
            }
            literal.add(segment.pieces[0]);
        }
        return literal;
    }

    /**
     * A request path's segments as {@link #matches} compares them (query dropped, the empty path
     * taken as the root, one trailing slash ignored), or null when no pattern can match it (no path,
     * or one not starting with a slash). For {@link RuleIndex}.
     */
    static List<String> requestSegments(String path) {
        if (path == null) {
            return null;
        }
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.isEmpty()) {
            path = "/";
        }
        return path.startsWith("/") ? split(path) : null;
    }

    /**
     * Splits into segments after dropping the leading slash and one trailing slash; the root
     * has no segments at all.
     */
    private static List<String> split(String path) {
        int end = path.length();
        if (end > 1 && path.charAt(end - 1) == '/') {
            end--;
        }
        List<String> parts = new ArrayList<>();
        if (end <= 1) {
            return parts;
        }
        int start = 1;
        for (int i = 1; i <= end; i++) {
            if (i == end || path.charAt(i) == '/') {
                parts.add(path.substring(start, i));
                start = i + 1;
            }
        }
        return parts;
    }

    /**
     * The pattern is fixed runs of segments separated by {@code **}. The first run must sit at the
     * start, the last at the end, and each middle run at its leftmost place after the previous one:
     * taking the leftmost place always leaves the most room for the rest, so no backtracking is needed.
     */
    private boolean matchSegments(List<String> path) {
        if (runs.size() == 1) {
            List<SegmentPattern> only = runs.get(0);
            return only.size() == path.size() && runMatchesAt(only, path, 0);
        }
        List<SegmentPattern> head = runs.get(0);
        List<SegmentPattern> tail = runs.get(runs.size() - 1);
        if (head.size() + tail.size() > path.size()) {
            return false;
        }
        if (!runMatchesAt(head, path, 0) || !runMatchesAt(tail, path, path.size() - tail.size())) {
            return false;
        }
        int from = head.size();
        int limit = path.size() - tail.size();
        for (List<SegmentPattern> middle : runs.subList(1, runs.size() - 1)) {
            int at = find(middle, path, from, limit);
            if (at < 0) {
                return false;
            }
            from = at + middle.size();
        }
        return true;
    }

    private static int find(List<SegmentPattern> run, List<String> path, int from, int limit) {
        for (int at = from; at + run.size() <= limit; at++) {
            if (runMatchesAt(run, path, at)) {
                return at;
            }
        }
        return -1;
    }

    private static boolean runMatchesAt(List<SegmentPattern> run, List<String> path, int at) {
        for (int i = 0; i < run.size(); i++) {
            if (!run.get(i).matches(path.get(at + i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PathGlob glob && glob.pattern.equals(pattern);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pattern);
    }

    @Override
    public String toString() {
        return pattern;
    }

    /** One segment of the pattern: literal text with optional {@code *} wildcards inside. */
    private static final class SegmentPattern {
        /** The literal pieces between stars; one piece means no star at all. */
        private final String[] pieces;

        private SegmentPattern(String[] pieces) {
            this.pieces = pieces;
        }

        static SegmentPattern of(String segment) {
            List<String> pieces = new ArrayList<>();
            int start = 0;
            for (int i = 0; i <= segment.length(); i++) {
                if (i == segment.length() || segment.charAt(i) == '*') {
                    pieces.add(segment.substring(start, i));
                    start = i + 1;
                }
            }
            return new SegmentPattern(pieces.toArray(new String[0]));
        }

        /** Same leftmost-greedy idea as for segments: prefix, suffix, then each middle piece in order. */
        boolean matches(String text) {
            if (pieces.length == 1) {
                return text.equals(pieces[0]);
            }
            String first = pieces[0];
            String last = pieces[pieces.length - 1];
            if (first.length() + last.length() > text.length()
                    || !text.startsWith(first) || !text.endsWith(last)) {
                return false;
            }
            int from = first.length();
            int limit = text.length() - last.length();
            for (int i = 1; i < pieces.length - 1; i++) {
                int at = text.indexOf(pieces[i], from);
                if (at < 0 || at + pieces[i].length() > limit) {
                    return false;
                }
                from = at + pieces[i].length();
            }
            return true;
        }
    }
}
