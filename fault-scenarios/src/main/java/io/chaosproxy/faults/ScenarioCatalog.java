package io.chaosproxy.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The built-in scenarios, each kept as a YAML file beside this class so users can read (and copy)
 * exactly what a built-in does.
 */
public final class ScenarioCatalog {

    /** The catalog, in the order users see it: simplest first. */
    private static final List<String> NAMES = List.of(
            "flaky", "slow", "outage", "outage-then-recovery", "brownout",
            "slow-body", "black-hole", "latency-ramp", "rate-limited");

    private static final List<Scenario> BUILT_INS = load();

    private ScenarioCatalog() {
    }

    /** Every built-in scenario, in catalog order. */
    public static List<Scenario> builtIns() {
        return BUILT_INS;
    }

    /** The built-in with this exact name. */
    public static Optional<Scenario> find(String name) {
        return BUILT_INS.stream().filter(scenario -> scenario.name().equals(name)).findFirst();
    }

    /** The built-in names, in catalog order. */
    public static List<String> names() {
        return NAMES;
    }

    private static List<Scenario> load() {
        List<Scenario> scenarios = new ArrayList<>();
        for (String name : NAMES) {
            String file = "scenarios/" + name + ".yaml";
            Scenario scenario = ScenarioParser.parse(read(file), "built-in " + file);
            if (!scenario.name().equals(name)) {
                // A packaging mistake, not a user error: fail loudly at class load.
                throw new IllegalStateException("built-in " + file + " is named " + scenario.name());
            }
            scenarios.add(scenario);
        }
        return List.copyOf(scenarios);
    }

    private static String read(String resource) {
        try (InputStream in = ScenarioCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("built-in scenario " + resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
