package io.chaosproxy.faults;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Installed rules and the seeded decisions over them; thread-safe, lock-free reads.
 *
 * <p>The rules live in an immutable list that every change replaces as a whole (copy-on-write):
 * {@link #decide} reads the current list without a lock, while changes take a lock among themselves
 * so that name checks and the swap happen together. Counters on each rule are atomic.
 *
 * <p>{@link #decide} walks the rules oldest first (only those whose match could hold: the others
 * are left out by a {@link RuleIndex}, which changes nothing below). For each rule of the asked
 * target and proxy that has not expired or run out of {@code times} and whose match holds:
 * <ol>
 *   <li>its {@code matched} count goes up; the first {@code after} matches pass untouched;</li>
 *   <li>with {@code ratePerSecond}, only matches beyond that many in the current clock second go on;</li>
 *   <li>a probability strictly between 0 and 1 draws one double (0 and 1 draw nothing) from the
 *       rule's own source for this request, {@link Seeds#draws}: seeded by the engine's seed, the
 *       rule's name and the number of this match;</li>
 *   <li>a firing is reserved against {@code times} by compare-and-set; then the rule has fired.</li>
 * </ol>
 * Fired latencies add up (their jitter, or a lognormal one's Gaussian, drawn from the same source;
 * after-backend ones apart from the others), the lowest bandwidth applies,
 * and the oldest fired error, drop or hang answers the request. Once one has, younger error, drop and
 * hang rules are not looked at at all: they are not counted, drawn for, or charged a {@code times}.
 * A rule's decisions depend on the seed, its name and its own count of matching requests, never on
 * how requests to other rules interleave, so a concurrent run replays with its seed.
 * {@link #restart(long)} starts afresh under another seed (a JUnit test's own, say).
 */
public final class FaultEngine {

    /**
     * At most this many rules at once. A request meets only the rules it could match (see
     * {@link RuleIndex}), but a suite that needs more has a leak (rules installed per test and never
     * removed), and is told so.
     */
    public static final int MAX_RULES = 1_000;

    private volatile long seed;
    private final Clock clock;
    /** The live rules, indexed for {@link #decide}; replaced whole on every change. */
    private final AtomicReference<RuleIndex> rules = new AtomicReference<>(RuleIndex.EMPTY);
    private final List<Consumer<InstalledRule>> removalListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

    /** Held by changes only, never by {@link #decide}. Guards the two counters below. */
    private final Object changeLock = new Object();
    private long lastId;
    private final Map<FaultType, Long> lastNameNumber = new EnumMap<>(FaultType.class);

    public FaultEngine(long seed, Clock clock) {
        this.seed = seed;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The seed every probabilistic decision derives from: print it so a run can be replayed. */
    public long seed() {
        return seed;
    }

    /**
     * Removes every rule, gives out ids and generated names from the start again ("f1",
     * "latency-1") and draws from {@code seed} from now on: the same rules installed in the same
     * order then decide exactly as they did in an earlier run with that seed.
     */
    public void restart(long seed) {
        removeAll();
        synchronized (changeLock) {
            lastId = 0;
            lastNameNumber.clear();
            this.seed = seed;
        }
    }

    /** The clock expiry, rate windows and ramps run on. */
    public Clock clock() {
        return clock;
    }

    /**
     * Installs one rule under a fresh id ("f1", "f2", ...) and, when it has none, a generated name
     * ("latency-1", ...). A name already in use is a {@link NameTakenException}.
     */
    public InstalledRule install(FaultRule rule, String origin) {
        return installAll(List.of(rule), origin).get(0);
    }

    /** Installs every rule or, when any name is taken or repeated, none. */
    public List<InstalledRule> installAll(List<FaultRule> rules, String origin) {
        return replace(rule -> false, rules, origin);
    }

    /** The live rule with this id. */
    public Optional<InstalledRule> find(String id) {
        return rules().stream().filter(rule -> rule.id().equals(id)).findFirst();
    }

    /** The live rules in installation order; expired ones are removed first (and listeners told). */
    public List<InstalledRule> rules() {
        pruneExpired();
        return rules.get().rules();
    }

    /** Removes one rule; false when no rule has that id. */
    public boolean remove(String id) {
        return !removeIf(rule -> rule.id().equals(id)).isEmpty();
    }

    /** Removes every rule the predicate picks (say, every rule of a scenario) and returns them. */
    public List<InstalledRule> removeIf(Predicate<InstalledRule> which) {
        return change(which, List.of(), null, null, null).removed();
    }

    public List<InstalledRule> removeAll() {
        return removeIf(rule -> true);
    }

    /**
     * Removes the rules {@code toRemove} picks and installs {@code toAdd} in one swap, so no request
     * ever sees both or neither: how a scenario moves from one phase to the next. Names of removed
     * rules are free for the added ones. Returns the added rules; on a name clash nothing changes.
     */
    public List<InstalledRule> replace(Predicate<InstalledRule> toRemove, List<FaultRule> toAdd, String origin) {
        return change(toRemove, toAdd, origin, null, null).added();
    }

    /**
     * Like {@link #replace(Predicate, List, String)} with a phase's faults, and its ramp running
     * over the phase's duration from now.
     */
    public List<InstalledRule> replace(Predicate<InstalledRule> toRemove, Phase phase, String origin) {
        return change(toRemove, phase.faults(), origin, phase.ramp(), phase.duration()).added();
    }

    /**
     * Removes the rules whose {@code durationMs} ran out and tells the listeners. Reads call it, and
     * {@link #decide} does when it meets an expired rule; a caller may also run it on a timer.
     */
    public void pruneExpired() {
        Instant now = clock.instant();
        boolean anyExpired = rules.get().rules().stream().anyMatch(rule -> rule.isExpiredAt(now));
        if (anyExpired) {
            change(rule -> false, List.of(), null, null, null);
        }
    }

    /** Tells the listener about every rule that leaves, for whatever reason; its exceptions are logged and dropped. */
    public void onRemoved(Consumer<InstalledRule> listener) {
        removalListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Runs {@code listener} after every change of the installed rules (install, removal, expiry,
     * scenario phase), on the thread that made it, before that call returns: how listeners that
     * act on rules as a whole (a refuse rule closing a port) are in force as soon as it returns.
     * Its exceptions are logged and dropped.
     */
    public void onChange(Runnable listener) {
        changeListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Whether {@code installed} fires on one TCP connection. A TCP proxy asks this once per
     * connection and rule, the first time the rule meets the connection, so {@code after} and
     * {@code times} count connections; the probability is drawn as for a request.
     */
    public boolean firesOnConnection(InstalledRule installed) {
        Instant now = clock.instant();
        if (installed.isExpiredAt(now) || installed.exhausted()) {
            return false;
        }
        long matchNumber = installed.countMatch();
        return fires(installed, matchNumber, now, Seeds.draws(seed, installed.rule().name(), matchNumber));
    }


    /** Which rules fire on this request for this leg, and what they add up to. */
    public FaultDecision decide(RequestFacts request, Target target) {
        RuleIndex index = rules.get();
        List<InstalledRule> snapshot = index.rules();
        if (snapshot.isEmpty()) {
            return FaultDecision.NONE;
        }
        Instant now = clock.instant();
        List<InstalledRule> fired = new ArrayList<>(2);
        long delayMs = 0;
        long afterBackendDelayMs = 0;
        long bytesPerSecond = Long.MAX_VALUE;
        InstalledRule terminal = null;
        // as if every rule of this target and proxy were looked at, matching or not
        boolean sawExpired = index.anyExpired(target, request.proxy(), now);

        // only the rules whose match could hold, still oldest first (see RuleIndex)
        for (int position : index.candidates(target, request)) {
            InstalledRule installed = snapshot.get(position);
            FaultRule rule = installed.rule();
            if (rule.target() != target || !forProxy(rule, request.proxy()) || !rule.fault().actsOnExchanges()) {
                continue;
            }
            if (installed.isExpiredAt(now)) {
                sawExpired = true;
                continue;
            }
            // An older error/drop/hang already answers this request: younger ones never see it.
            if (terminal != null && rule.type().isTerminal()) {
                continue;
            }
            long matchNumber = matchNumber(installed, request);
            if (matchNumber == 0) {
                continue;
            }
            RandomGenerator draws = Seeds.draws(seed, rule.name(), matchNumber);
            if (!fires(installed, matchNumber, now, draws)) {
                continue;
            }
            fired.add(installed);
            Fault fault = rule.fault();
            if (fault instanceof Latency latency && latency.when() == LatencyPoint.AFTER_BACKEND) {
                afterBackendDelayMs += latencyOf(installed, latency, now, draws);
            } else if (fault instanceof Latency latency) {
                delayMs += latencyOf(installed, latency, now, draws);
            } else if (fault instanceof Bandwidth bandwidth) {
                bytesPerSecond = Math.min(bytesPerSecond, bandwidth.bytesPerSecond());
            } else {
                terminal = installed;
            }
        }

        if (sawExpired) {
            pruneExpired();
        }
        if (fired.isEmpty()) {
            return FaultDecision.NONE;
        }
        return new FaultDecision(fired, delayMs,
                bytesPerSecond == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(bytesPerSecond),
                terminal, afterBackendDelayMs);
    }

    private static boolean forProxy(FaultRule rule, String proxy) {
        return rule.proxy() == null || rule.proxy().equals(proxy);
    }

    /** Counts a request the rule could fire on and returns its number (1 for the first); 0 when it does not match. */
    private static long matchNumber(InstalledRule installed, RequestFacts request) {
        if (installed.exhausted() || !installed.rule().match().matches(request)) {
            return 0;
        }
        return installed.countMatch();
    }

    /** The steps between "this rule matched" and "it fired", in the documented order. */
    private boolean fires(InstalledRule installed, long matchNumber, Instant now, RandomGenerator draws) {
        FaultRule rule = installed.rule();
        if (matchNumber <= rule.after()) {
            return false;
        }
        if (!installed.beyondRate(now)) {
            return false;
        }
        if (!draw(installed.probabilityAt(now), draws)) {
            return false;
        }
        return installed.reserveFiring();
    }

    /** Certain outcomes draw nothing, so adding an always-on rule doesn't shift every later draw. */
    private static boolean draw(double probability, RandomGenerator draws) {
        if (probability >= 1.0) {
            return true;
        }
        if (probability <= 0.0) {
            return false;
        }
        return draws.nextDouble() < probability;
    }

    private static long latencyOf(InstalledRule installed, Latency latency, Instant now, RandomGenerator draws) {
        long delay = installed.delayMsAt(now, latency);
        if (latency.distribution() == LatencyDistribution.LOGNORMAL) {
            return latency.lognormalDelayMs(delay, draws.nextGaussian());
        }
        long jitter = latency.jitterMs();
        if (jitter > 0) {
            delay += draws.nextLong(-jitter, jitter + 1);
        }
        return Math.max(0, delay);
    }

    /** What one change did; {@code removed} holds only what the caller asked to remove. */
    private record Change(List<InstalledRule> removed, List<InstalledRule> added) {
    }

    /**
     * The one place rules change. Under the lock: drop expired rules, remove what was asked, check
     * and add the new ones, swap. A refused addition throws before the swap, so nothing changes.
     * Listeners are told after the lock is released, so they may call back into the engine.
     */
    private Change change(Predicate<InstalledRule> toRemove, List<FaultRule> toAdd, String origin,
                          Ramp ramp, Duration rampOver) {
        List<InstalledRule> expired = new ArrayList<>();
        List<InstalledRule> removed = new ArrayList<>();
        List<InstalledRule> added;
        synchronized (changeLock) {
            Instant now = clock.instant();
            List<InstalledRule> kept = new ArrayList<>();
            for (InstalledRule rule : rules.get().rules()) {
                if (rule.isExpiredAt(now)) {
                    expired.add(rule);
                } else if (toRemove.test(rule)) {
                    removed.add(rule);
                } else {
                    kept.add(rule);
                }
            }
            added = prepare(toAdd, origin, kept, now, ramp, rampOver);
            kept.addAll(added);
            if (kept.size() > MAX_RULES && !added.isEmpty()) {
                throw new FaultSpecException("faults", "at most " + MAX_RULES + " fault rules may be installed at once; this would make "
                        + kept.size() + " (remove rules that are no longer needed, or reset between tests)");
            }
            rules.set(RuleIndex.of(List.copyOf(kept)));
        }
        expired.forEach(this::tellRemoved);
        removed.forEach(this::tellRemoved);
        if (!expired.isEmpty() || !removed.isEmpty() || !added.isEmpty()) {
            tellChanged();
        }
        return new Change(List.copyOf(removed), added);
    }

    /** Checks names and gives out ids and generated names; throws before anything is installed. */
    private List<InstalledRule> prepare(List<FaultRule> toAdd, String origin, List<InstalledRule> kept,
                                        Instant now, Ramp ramp, Duration rampOver) {
        if (toAdd.isEmpty()) {
            return List.of();
        }
        Objects.requireNonNull(origin, "origin");
        Set<String> taken = new HashSet<>();
        for (InstalledRule rule : kept) {
            taken.add(rule.rule().name());
        }
        Set<String> asked = new HashSet<>();
        for (FaultRule rule : toAdd) {
            String name = rule.name();
            if (name == null) {
                continue;
            }
            if (taken.contains(name)) {
                String owner = kept.stream().filter(r -> name.equals(r.rule().name()))
                        .map(InstalledRule::id).findFirst().orElse("?");
                throw new NameTakenException(name, "name \"" + name + "\" is already taken by rule " + owner);
            }
            if (!asked.add(name)) {
                throw new NameTakenException(name, "name \"" + name + "\" is given to more than one rule");
            }
        }
        taken.addAll(asked);
        List<InstalledRule> added = new ArrayList<>();
        for (FaultRule rule : toAdd) {
            String name = rule.name() != null ? rule.name() : freshName(rule.type(), taken);
            String id = "f" + (++lastId);
            added.add(new InstalledRule(rule.withId(id).withName(name), origin, now, ramp, rampOver));
        }
        return List.copyOf(added);
    }

    /** "latency-1", "latency-2", ...: numbers only grow, so a name is never reused for another rule. */
    private String freshName(FaultType type, Set<String> taken) {
        String name;
        do {
            long number = lastNameNumber.merge(type, 1L, Long::sum);
            name = type.wireName() + "-" + number;
        } while (taken.contains(name));
        taken.add(name);
        return name;
    }

    private void tellChanged() {
        for (Runnable listener : changeListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                System.getLogger(FaultEngine.class.getName()).log(System.Logger.Level.WARNING, "change listener failed", e);
            }
        }
    }

    private void tellRemoved(InstalledRule rule) {
        for (Consumer<InstalledRule> listener : removalListeners) {
            try {
                listener.accept(rule);
            } catch (RuntimeException e) {
                // looked up only now: the JDK's logging costs a cold test JVM dozens of classes at start
                System.getLogger(FaultEngine.class.getName())
                        .log(System.Logger.Level.WARNING, "removal listener failed for rule " + rule.id(), e);
            }
        }
    }
}
