package io.chaosproxy.faults;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Writes a rule as the contract's JSON: every field that has a value, enums as their wire names,
 * plus {@code id} once installed. The fields added for TCP, gRPC and connection faults
 * ({@code direction}, {@code distribution}, a latency's {@code when}, ...) are written only when
 * they differ from their default, so an HTTP rule reads as it always did; a refuse rule has only
 * {@code name}, {@code type}, {@code proxy} and {@code durationMs}, the fields it accepts. What it writes, {@link FaultRuleParser#parse} reads back
 * (without the id) to an equal rule.
 */
public final class FaultRuleJson {

    private FaultRuleJson() {
    }

    /** An installed rule: its rule's JSON plus its counters and lifecycle, as the control API reports it. */
    public static ObjectNode toJson(InstalledRule installed) {
        ObjectNode json = toJson(installed.rule());
        json.put("fired", installed.fired());
        json.put("matched", installed.matched());
        json.put("exhausted", installed.exhausted());
        json.put("origin", installed.origin());
        json.put("installedAt", installed.installedAt().toString());
        if (installed.expiresAt() != null) {
            json.put("expiresAt", installed.expiresAt().toString());
        }
        if (installed.ramp() != null) {
            json.set("ramp", ScenarioJson.ramp(installed.ramp()));
        }
        return json;
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
        if (rule.fault() instanceof Refuse) {
            if (rule.durationMs() != null) {
                json.put("durationMs", rule.durationMs());
            }
            return json;
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
        // Java 17 has no pattern switch; Refuse has no parameters, so it needs no branch.
        if (fault instanceof Latency latency) {
            writeLatency(json, latency);
        } else if (fault instanceof ErrorResponse error) {
            writeError(json, error);
        } else if (fault instanceof Drop drop) {
            json.put("when", drop.when().wireName());
            if (drop.when().countsBytes()) {
                json.put("afterBytes", drop.afterBytes()); // the parser accepts it only there
            }
            json.put("mode", drop.mode().wireName());
            writeDirection(json, drop.direction());
        } else if (fault instanceof Bandwidth bandwidth) {
            json.put("bytesPerSecond", bandwidth.bytesPerSecond());
            writeDirection(json, bandwidth.direction());
        } else if (fault instanceof Hang hang) {
            if (hang.when() != HangPoint.BEFORE_RESPONSE) {
                json.put("when", hang.when().wireName());
                json.put("afterBytes", hang.afterBytes());
            }
            writeDirection(json, hang.direction());
        } else if (fault instanceof Slice slice) {
            json.put("sliceBytes", slice.sliceBytes());
            json.put("sliceDelayMs", slice.sliceDelayMs());
            writeDirection(json, slice.direction());
        }
    }

    private static void writeLatency(ObjectNode json, Latency latency) {
        json.put("delayMs", latency.delayMs());
        if (latency.distribution() == LatencyDistribution.LOGNORMAL) {
            json.put("distribution", latency.distribution().wireName());
            json.put("p99Ms", latency.p99Ms());
        } else {
            json.put("jitterMs", latency.jitterMs());
        }
        if (latency.when() != LatencyPoint.BEFORE_RESPONSE) {
            json.put("when", latency.when().wireName());
        }
        writeDirection(json, latency.direction());
    }

    private static void writeError(ObjectNode json, ErrorResponse error) {
        if (error.isGrpc()) {
            json.put("grpcStatus", error.grpcStatus());
            if (error.grpcMessage() != null) {
                json.put("grpcMessage", error.grpcMessage());
            }
        } else {
            json.put("status", error.status());
            json.put("body", error.body());
        }
        json.set("headers", stringMap(error.headers()));
    }

    private static void writeDirection(ObjectNode json, Direction direction) {
        if (direction != Direction.DOWNSTREAM) {
            json.put("direction", direction.wireName());
        }
    }

    private static ObjectNode stringMap(Map<String, String> map) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        map.forEach(json::put);
        return json;
    }
}
