package io.chaosproxy.proxy.control;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.chaosproxy.proxy.config.ParseErrors;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads control API request bodies and writes answers. Every check a body goes through before a
 * handler sees it lives here: media type (415), size (413), emptiness and syntax (400). Parsing
 * is strict (duplicate keys and trailing tokens refused) and bounded (nesting, number length), so
 * no body, however odd, can reach a handler as anything but a well-formed tree.
 */
final class Json {

    /** The contract's limit; a fault rule or scenario document is a few hundred bytes. */
    static final int MAX_BODY_BYTES = 1024 * 1024;
    /** An oversized body is read and thrown away up to this much, so the client sees our 413 rather than a reset. */
    private static final long MAX_DRAIN_BYTES = 16L * 1024 * 1024;
    /** A scenario document nests about six deep; nothing legitimate comes close to this. */
    private static final int MAX_NESTING = 64;

    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING)
            .maxNumberLength(100)
            .maxStringLength(MAX_BODY_BYTES)
            .build();

    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(LIMITS).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder().streamReadConstraints(LIMITS).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final Set<String> YAML_TYPES = Set.of("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml");

    /** What a call accepts as its body. */
    enum Accepts { JSON, JSON_OR_YAML }

    private Json() {}

    /**
     * The request body as a tree. {@code expected} completes "the request body is empty; expected ...",
     * e.g. "a fault rule".
     */
    static JsonNode readBody(Context ctx, Accepts accepts, String expected) {
        boolean yaml = isYaml(ctx.contentType(), accepts);
        byte[] bytes = readLimited(ctx);
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw ApiError.badRequest(null, "the request body is empty; expected " + expected);
        }
        return yaml ? parseYaml(text) : parseJson(bytes);
    }

    static JsonNode parseJson(byte[] bytes) {
        try {
            JsonNode tree = MAPPER.readTree(bytes);
            if (tree == null || tree.isMissingNode()) {
                throw ApiError.badRequest(null, "malformed JSON: the document is empty");
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest(null, "malformed JSON: " + ParseErrors.describe(e));
        } catch (IOException e) {
            throw ApiError.badRequest(null, "malformed JSON: " + e.getMessage());
        }
    }

    private static JsonNode parseYaml(String text) {
        try {
            JsonNode tree = YAML.readTree(text);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw ApiError.badRequest(null, "the YAML document is empty");
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest(null, "malformed YAML: " + ParseErrors.describe(e));
        } catch (ApiError e) {
            throw e;
        } catch (RuntimeException e) {
            // SnakeYAML's own limits (aliases, depth) may surface as plain runtime exceptions
            throw ApiError.badRequest(null, "malformed YAML: " + firstLine(String.valueOf(e.getMessage())));
        }
    }

    /** No Content-Type means JSON; anything else must say JSON or, where the call allows it, YAML. */
    private static boolean isYaml(String contentType, Accepts accepts) {
        if (contentType == null || contentType.isBlank()) {
            return false;
        }
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (mediaType.equals("application/json") || mediaType.endsWith("+json") || mediaType.equals("text/json")) {
            return false;
        }
        if (accepts == Accepts.JSON_OR_YAML && YAML_TYPES.contains(mediaType)) {
            return true;
        }
        String hint = mediaType.equals("application/x-www-form-urlencoded")
                ? " (curl -d sends that: add -H 'Content-Type: application/json')" : "";
        throw ApiError.unsupportedMediaType("Content-Type must be application/json"
                + (accepts == Accepts.JSON_OR_YAML ? " or application/yaml" : "") + ", got " + contentType + hint);
    }

    private static byte[] readLimited(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        try {
            if (declared > MAX_BODY_BYTES && expectsContinue(ctx)) {
                // the client waits for our word before sending: say no now, and let it keep its body
                throw bodyTooLarge(declared);
            }
            InputStream in = ctx.req().getInputStream();
            if (declared > MAX_BODY_BYTES) {
                drain(in);
                throw bodyTooLarge(declared);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(256, Math.min(declared, MAX_BODY_BYTES)));
            byte[] chunk = new byte[8192];
            long total = 0;
            int read;
            while ((read = in.read(chunk)) != -1) {
                total += read;
                if (total > MAX_BODY_BYTES) {
                    drain(in);
                    throw bodyTooLarge(-1);
                }
                out.write(chunk, 0, read);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw ApiError.badRequest(null, "could not read the request body: " + e.getMessage());
        }
    }

    private static boolean expectsContinue(Context ctx) {
        String expect = ctx.header("Expect");
        return expect != null && expect.trim().equalsIgnoreCase("100-continue");
    }

    private static ApiError bodyTooLarge(long declared) {
        return ApiError.tooLarge("the request body is larger than " + MAX_BODY_BYTES + " bytes (1 MiB)"
                + (declared > 0 ? ": Content-Length is " + declared : ""));
    }

    private static void drain(InputStream in) {
        byte[] sink = new byte[16384];
        long left = MAX_DRAIN_BYTES;
        try {
            int read;
            while (left > 0 && (read = in.read(sink)) != -1) {
                left -= read;
            }
        } catch (IOException e) {
            // the client went away: nothing left to drain
        }
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    // ---- answers ----

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    static void send(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON answer", e);
        }
    }

    /** The one error shape: {@code {"error": message, "field": field-or-null}}. */
    static void sendError(Context ctx, int status, String message, String field, Map<String, String> headers) {
        headers.forEach(ctx::header);
        send(ctx, status, errorBody(status, message, field));
    }

    /** The one shape of a control API error, {@code {"error", "field"}}, for Javalin's handlers and Jetty's alike. */
    static ObjectNode errorBody(int status, String message, String field) {
        ObjectNode body = object();
        body.put("error", message == null || message.isBlank() ? "error " + status : message);
        body.put("field", field);
        return body;
    }
}
