package io.chaosproxy.faults;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Writes a rule as the contract's JSON: every field that has a value, enums as their wire names,
 * plus {@code id} once installed. What it writes, {@link FaultRuleParser#parse} reads back
 * (without the id) to an equal rule.
 */
public final class FaultRuleJson {

    private FaultRuleJson() {
    }

    public static ObjectNode toJson(FaultRule rule) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        if (rule.id() != null) {
            json.put("id", rule.id());
        }
        if (rule.name() != null) {
            json.put("name", rule.name());
        }
        json.put("type", rule.type().wireName());
        if (rule.proxy() != null) {
            json.put("proxy", rule.proxy());
        }
        json.set("match", match(rule.match()));
        json.put("probability", rule.probability());
        if (rule.times() != null) {
            json.put("times", rule.times());
        }
        json.put("after", rule.after());
        if (rule.durationMs() != null) {
            json.put("durationMs", rule.durationMs());
        }
        if (rule.ratePerSecond() != null) {
            json.put("ratePerSecond", rule.ratePerSecond());
        }
        json.put("target", rule.target().wireName());
        writeFault(json, rule.fault());
        return json;
    }

    /** The match with only the conditions that are set; {@code {}} for any request. */
    static ObjectNode match(Match match) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        if (!match.methods().isEmpty()) {
            ArrayNode methods = json.putArray("methods");
            match.methods().forEach(methods::add);
        }
        if (match.path() != null) {
            json.put("path", match.path().pattern());
        }
        if (!match.headers().isEmpty()) {
            json.set("headers", stringMap(match.headers()));
        }
        return json;
    }

    private static void writeFault(ObjectNode json, Fault fault) {
        // Java 17 has no pattern switch; Hang has no parameters, so it needs no branch.
        if (fault instanceof Latency latency) {
            json.put("delayMs", latency.delayMs());
            json.put("jitterMs", latency.jitterMs());
        } else if (fault instanceof ErrorResponse error) {
            json.put("status", error.status());
            json.put("body", error.body());
            json.set("headers", stringMap(error.headers()));
        } else if (fault instanceof Drop drop) {
            json.put("when", drop.when().wireName());
            if (drop.when() == DropPoint.MID_BODY) {
                json.put("afterBytes", drop.afterBytes()); // the parser accepts it only there
            }
            json.put("mode", drop.mode().wireName());
        } else if (fault instanceof Bandwidth bandwidth) {
            json.put("bytesPerSecond", bandwidth.bytesPerSecond());
        }
    }

    private static ObjectNode stringMap(Map<String, String> map) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        map.forEach(json::put);
        return json;
    }
}
