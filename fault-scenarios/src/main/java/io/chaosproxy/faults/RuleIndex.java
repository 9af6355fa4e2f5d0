package io.chaosproxy.faults;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One snapshot of the installed rules, arranged so that {@link FaultEngine#decide} looks only at
 * the rules a request could match: a request then pays for the rules meant for it, not for the
 * thousand meant for other paths, methods, proxies or legs.
 *
 * <p>The arrangement: per target (client, upstream), per proxy (the rules naming it, and those for
 * every proxy), a tree of the literal path segments a rule's glob starts with ({@code /api/orders/**}
 * hangs under {@code api}, {@code orders}; {@code /**} and rules without a path at the root), and at
 * each node the rules by method (or for any method) and by the value of their first header
 * condition (or none). A request walks its own path's segments from the root and collects what
 * hangs along the way for its method and its header values. Nothing is decided
 * here: every rule collected is then checked by its {@link Match} exactly as before, in installation
 * order, so which rules count a match, draw from their seeds and fire is the same as walking the
 * whole list; the rules left out are those whose match could not hold.
 *
 * <p>Immutable, built once per change of the rules (under the engine's change lock); read without locks.
 */
final class RuleIndex {
    static final RuleIndex EMPTY = of(List.of());

    private final List<InstalledRule> rules;
    private final Map<Target, Leg> legs = new EnumMap<>(Target.class);

    private RuleIndex(List<InstalledRule> rules) {
        this.rules = rules;
        for (int position = 0; position < rules.size(); position++) {
            InstalledRule installed = rules.get(position);
            FaultRule rule = installed.rule();
            if (!rule.fault().actsOnExchanges()) {
                continue; // decide() never looks at these (TCP-only faults)
            }
            legs.computeIfAbsent(rule.target(), target -> new Leg()).add(position, installed);
        }
        for (Leg leg : legs.values()) {
            leg.freeze();
        }
    }

    /** Indexes {@code rules}, an immutable list in installation order. */
    static RuleIndex of(List<InstalledRule> rules) {
        return new RuleIndex(rules);
    }

    /** Every installed rule, in installation order. */
    List<InstalledRule> rules() {
        return rules;
    }

    /**
     * The positions (in {@link #rules()}) of the rules for {@code target} that {@code request}
     * could match, ascending: every rule whose match holds is among them.
     */
    int[] candidates(Target target, RequestFacts request) {
        Leg leg = legs.get(target);
        if (leg == null) {
            return NONE;
        }
        List<String> segments = PathGlob.requestSegments(request.path());
        String method = request.method() == null ? null : request.method().toUpperCase(Locale.ROOT);
        List<int[]> found = new ArrayList<>(4);
        leg.anyProxy.collect(segments, method, request, found);
        Tree named = request.proxy() == null ? null : leg.byProxy.get(request.proxy());
        if (named != null) {
            named.collect(segments, method, request, found);
        }
        return merged(found);
    }

    /** Whether a rule {@code decide} looks at for this target and proxy has expired by {@code now}. */
    boolean anyExpired(Target target, String proxy, Instant now) {
        Leg leg = legs.get(target);
        if (leg == null) {
            return false;
        }
        if (leg.anyProxy.expiresFirst(now)) {
            return true;
        }
        Tree named = proxy == null ? null : leg.byProxy.get(proxy);
        return named != null && named.expiresFirst(now);
    }

    private static final int[] NONE = new int[0];

    /** Ascending lists of positions, each rule in at most one: one ascending list. */
    private static int[] merged(List<int[]> found) {
        if (found.isEmpty()) {
            return NONE;
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        int total = 0;
        for (int[] part : found) {
            total += part.length;
        }
        int[] all = new int[total];
        int at = 0;
        for (int[] part : found) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        Arrays.sort(all);
        return all;
    }

    /** The rules of one target: those for every proxy, and those naming one. */
    private static final class Leg {
        final Tree anyProxy = new Tree();
        final Map<String, Tree> byProxy = new HashMap<>();

        void add(int position, InstalledRule installed) {
            String proxy = installed.rule().proxy();
            (proxy == null ? anyProxy : byProxy.computeIfAbsent(proxy, name -> new Tree())).add(position, installed);
        }

        void freeze() {
            anyProxy.freeze();
            byProxy.values().forEach(Tree::freeze);
        }
    }

    /** Rules by the literal segments their path glob starts with; and the one that expires first. */
    private static final class Tree {
        final Node root = new Node();
        InstalledRule expiresFirst;

        void add(int position, InstalledRule installed) {
            Match match = installed.rule().match();
            Node node = root;
            if (match.path() != null) {
                for (String segment : match.path().literalSegments()) {
                    node = node.children.computeIfAbsent(segment, key -> new Node());
                }
            }
            node.add(position, match);
            Instant expiresAt = installed.expiresAt();
            if (expiresAt != null && (expiresFirst == null || expiresAt.isBefore(expiresFirst.expiresAt()))) {
                expiresFirst = installed;
            }
        }

        boolean expiresFirst(Instant now) {
            return expiresFirst != null && expiresFirst.isExpiredAt(now);
        }

        /** Along the request's path (only the root when no glob can match it), what hangs for its method. */
        void collect(List<String> segments, String method, RequestFacts request, List<int[]> found) {
            Node node = root;
            node.collect(method, request, found);
            if (segments == null) {
                return;
            }
            for (String segment : segments) {
                node = node.children.get(segment);
                if (node == null) {
                    return;
                }
                node.collect(method, request, found);
            }
        }

        void freeze() {
            root.freeze();
        }
    }

    /** A tree node: the rules whose literal segments end here, by method (or any) and by first header. */
    private static final class Node {
        final Map<String, Node> children = new HashMap<>();
        private Bucket anyMethod = new Bucket();
        private final Map<String, Bucket> byMethod = new HashMap<>();

        void add(int position, Match match) {
            if (match.methods().isEmpty()) {
                anyMethod.add(position, match.headers());
            } else {
                for (String method : match.methods()) {
                    byMethod.computeIfAbsent(method, key -> new Bucket()).add(position, match.headers());
                }
            }
        }

        void collect(String method, RequestFacts request, List<int[]> found) {
            anyMethod.collect(request, found);
            if (method != null && !byMethod.isEmpty()) {
                Bucket forMethod = byMethod.get(method);
                if (forMethod != null) {
                    forMethod.collect(request, found);
                }
            }
        }

        void freeze() {
            anyMethod.freeze();
            byMethod.values().forEach(Bucket::freeze);
            children.values().forEach(Node::freeze);
        }
    }

    /**
     * Rules without a header condition, and those with one by their first header's name and value:
     * a request looks up each such name once, and meets only the rules its value names.
     */
    private static final class Bucket {
        private final List<Integer> building = new ArrayList<>();
        private final Map<String, Map<String, List<Integer>>> buildingByHeader = new HashMap<>();
        int[] noHeader = NONE;
        Map<String, Map<String, int[]>> byHeader = Map.of();

        void add(int position, Map<String, String> headers) {
            if (headers.isEmpty()) {
                building.add(position);
                return;
            }
            Map.Entry<String, String> first = headers.entrySet().iterator().next();
            buildingByHeader.computeIfAbsent(first.getKey(), name -> new HashMap<>())
                    .computeIfAbsent(first.getValue(), value -> new ArrayList<>()).add(position);
        }

        void collect(RequestFacts request, List<int[]> found) {
            if (noHeader.length > 0) {
                found.add(noHeader);
            }
            for (Map.Entry<String, Map<String, int[]>> header : byHeader.entrySet()) {
                String value = request.header(header.getKey());
                int[] forValue = value == null ? null : header.getValue().get(value);
                if (forValue != null) {
                    found.add(forValue);
                }
            }
        }

        void freeze() {
            noHeader = toArray(building);
            Map<String, Map<String, int[]>> frozen = new HashMap<>();
            buildingByHeader.forEach((name, values) -> {
                Map<String, int[]> byValue = new HashMap<>();
                values.forEach((value, positions) -> byValue.put(value, toArray(positions)));
                frozen.put(name, byValue);
            });
            byHeader = frozen.isEmpty() ? Map.of() : frozen;
            building.clear();
            buildingByHeader.clear();
        }

        private static int[] toArray(List<Integer> positions) {
            return positions.isEmpty() ? NONE : positions.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
