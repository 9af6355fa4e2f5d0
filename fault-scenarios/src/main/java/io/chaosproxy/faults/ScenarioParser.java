package io.chaosproxy.faults;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a scenario document (YAML, or JSON) into a {@link Scenario}.
 *
 * <p>Every error is a {@link FaultSpecException} whose message starts with the source and names
 * the place, e.g. {@code "outage.yaml: phases[1].faults[0].status must be 400-599"} with field
 * {@code "phases[1].faults[0].status"}. Malformed YAML is reported with its line and column.
 * A phase duration is a string such as {@code "5s"} or a bare number of milliseconds.
 */
public final class ScenarioParser {

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final Set<String> SCENARIO_FIELDS = Set.of("name", "description", "repeat", "phases");
    private static final Set<String> PHASE_FIELDS = Set.of("duration", "faults", "ramp");
    private static final Set<String> RAMP_FIELDS = Set.of("field", "from", "to");

    private ScenarioParser() {
    }

    /** Reads a document; {@code source} (a file name, "request body") starts every error message. */
    public static Scenario parse(String text, String source) {
        String from = source == null || source.isBlank() ? "scenario" : source;
        try {
            return read(tree(text));
        } catch (FaultSpecException e) {
            throw new FaultSpecException(e.field(), from + ": " + e.getMessage());
        }
    }

    /** Reads a file; its path as given is the source in error messages. */
    public static Scenario parse(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new FaultSpecException(null, file + ": cannot read the file (" + e + ")");
        }
        return parse(text, file.toString());
    }

    /** Reads a scenario already parsed into a tree (say, a control API body); errors carry no source. */
    public static Scenario parse(JsonNode document) {
        return read(document);
    }

    private static JsonNode tree(String text) {
        if (text == null || text.isBlank()) {
            throw new FaultSpecException(null, "the document is empty; expected a scenario with name and phases");
        }
        if (looksLikeJson(text)) {
            return FaultRuleParser.readJson(text);
        }
        try {
            JsonNode tree = YAML.readTree(text);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new FaultSpecException(null, "the document is empty; expected a scenario with name and phases");
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw new FaultSpecException(null, "malformed YAML: " + FaultRuleParser.describe(e));
        }
    }

    /**
     * JSON is YAML, but a JSON file indented with tabs is not, so JSON is read as JSON. A YAML flow
     * mapping also starts with '{', so only '{' followed by '"' or '}' counts as JSON.
     */
    private static boolean looksLikeJson(String text) {
        String stripped = text.strip();
        if (!stripped.startsWith("{")) {
            return false;
        }
        String rest = stripped.substring(1).strip();
        return rest.startsWith("\"") || rest.startsWith("}");
    }

    private static Scenario read(JsonNode document) {
        if (document == null || !document.isObject()) {
            throw new FaultSpecException(null, "a scenario must be an object with name and phases"
                    + Fields.got(document));
        }
        Fields.rejectUnknown(document, "", SCENARIO_FIELDS);
        JsonNode name = Fields.get(document, "name");
        if (name == null) {
            throw new FaultSpecException("name", "name is required");
        }
        JsonNode description = Fields.get(document, "description");
        JsonNode repeat = Fields.get(document, "repeat");
        return new Scenario(
                Fields.string(name, "name"),
                description == null ? "" : Fields.string(description, "description"),
                repeat != null && Fields.bool(repeat, "repeat"),
                readPhases(Fields.get(document, "phases")));
    }

    private static List<Phase> readPhases(JsonNode phases) {
        if (phases == null) {
            throw new FaultSpecException("phases", "phases is required: a list of {duration, faults}");
        }
        if (!phases.isArray()) {
            throw new FaultSpecException("phases", "phases must be a list" + Fields.got(phases));
        }
        List<Phase> read = new ArrayList<>();
        for (int i = 0; i < phases.size(); i++) {
            try {
                read.add(readPhase(phases.get(i)));
            } catch (FaultSpecException e) {
                throw e.under("phases[" + i + "]");
            }
        }
        return read; // an empty list is refused by Scenario itself
    }

    private static Phase readPhase(JsonNode phase) {
        if (!phase.isObject()) {
            throw new FaultSpecException(null, "a phase must be an object with duration and faults"
                    + Fields.got(phase));
        }
        Fields.rejectUnknown(phase, "", PHASE_FIELDS);
        JsonNode ramp = Fields.get(phase, "ramp");
        return new Phase(
                readDuration(Fields.get(phase, "duration")),
                FaultRuleParser.parseList(Fields.get(phase, "faults"), "faults"),
                ramp == null ? null : readRamp(ramp));
    }

    private static Duration readDuration(JsonNode duration) {
        if (duration == null) {
            throw new FaultSpecException("duration", "duration is required, e.g. 5s");
        }
        if (duration.isNumber()) {
            long millis = Fields.wholeNumber(duration, "duration");
            Check.positive("duration", millis); // before Duration.ofMillis sees a negative or clamped value
            return Duration.ofMillis(Math.min(millis, Limits.MAX_DURATION_MS + 1));
        }
        if (!duration.isTextual()) {
            throw new FaultSpecException("duration", "duration must be a string such as 5s, or milliseconds");
        }
        try {
            return Durations.parse(duration.textValue());
        } catch (IllegalArgumentException e) {
            throw new FaultSpecException("duration", "duration: " + e.getMessage());
        }
    }

    private static Ramp readRamp(JsonNode ramp) {
        if (!ramp.isObject()) {
            throw new FaultSpecException("ramp", "ramp must be an object with field, from and to" + Fields.got(ramp));
        }
        Fields.rejectUnknown(ramp, "ramp.", RAMP_FIELDS);
        JsonNode field = Fields.get(ramp, "field");
        return new Ramp(
                field == null ? null : RampField.fromWireName(Fields.string(field, "ramp.field")),
                required(ramp, "from"),
                required(ramp, "to"));
    }

    private static double required(JsonNode ramp, String name) {
        JsonNode value = Fields.get(ramp, name);
        if (value == null) {
            throw new FaultSpecException("ramp." + name, "ramp." + name + " is required");
        }
        return Fields.number(value, "ramp." + name);
    }
}
