package io.chaosproxy.faults;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes a scenario as the document {@link ScenarioParser} reads, e.g. for {@code GET /scenarios}. */
public final class ScenarioJson {

    private ScenarioJson() {
    }

    public static ObjectNode toJson(Scenario scenario) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("name", scenario.name());
        json.put("description", scenario.description());
        json.put("repeat", scenario.repeat());
        ArrayNode phases = json.putArray("phases");
        for (Phase phase : scenario.phases()) {
            ObjectNode phaseJson = phases.addObject();
            phaseJson.put("duration", Durations.format(phase.duration()));
            ArrayNode faults = phaseJson.putArray("faults");
            phase.faults().forEach(rule -> faults.add(FaultRuleJson.toJson(rule)));
            if (phase.ramp() != null) {
                phaseJson.set("ramp", ramp(phase.ramp()));
            }
        }
        return json;
    }

    static ObjectNode ramp(Ramp ramp) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("field", ramp.field().wireName());
        json.put("from", ramp.from());
        json.put("to", ramp.to());
        return json;
    }
}
