package io.chaosproxy.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import io.chaosproxy.proxy.reliability.support.ScriptedBackend;
import io.chaosproxy.proxy.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A generated corpus of well over a thousand malformed or adversarial control calls: every route
 * and method, missing and wrong tokens, wrong content types, broken JSON and YAML, wrong types,
 * huge and negative numbers, negative durations, deep nesting, huge bodies, bad query strings and
 * path parameters, and raw HTTP garbage. Each must get one of the documented 4xx answers with a
 * JSON error body, never a 5xx; none may leave a rule, proxy or scenario behind; and the data plane
 * keeps serving traffic throughout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ControlApiHostileInputTest {
    private static final String TOKEN = "correct-horse-battery-staple";
    private static final String AUTH = "Authorization: Bearer " + TOKEN;
    /** The README's error statuses; 414 and 431 are Jetty's own, for a request line or head too large to read. */
    private static final Set<Integer> DOCUMENTED = Set.of(400, 401, 404, 405, 409, 413, 415, 414, 431);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final List<String> ROUTES = List.of("/status", "/proxies", "/proxies/default",
            "/proxies/default/upstreams", "/faults", "/faults/f1", "/scenarios", "/scenarios/running", "/requests",
            "/reset", "/metrics", "/nope", "/health/extra", "/");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH");
    /** What each real route answers to; everything else on it is a 405. */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("/status", Set.of("GET")), Map.entry("/proxies", Set.of("GET", "POST")),
            Map.entry("/proxies/default", Set.of("GET", "DELETE")), Map.entry("/proxies/default/upstreams", Set.of("PUT")),
            Map.entry("/faults", Set.of("GET", "POST", "DELETE")), Map.entry("/faults/f1", Set.of("GET", "DELETE")),
            Map.entry("/scenarios", Set.of("GET", "POST")), Map.entry("/scenarios/running", Set.of("GET", "DELETE")),
            Map.entry("/requests", Set.of("GET", "DELETE")), Map.entry("/reset", Set.of("POST")),
            Map.entry("/metrics", Set.of("GET")));
    private static final String VALID_RULE = "{\"type\":\"error\",\"status\":503,\"match\":{\"path\":\"/never/**\"}}";

    /** One hostile call: the exact bytes, and the statuses it may get. */
    private record Case(String name, byte[] request, Set<Integer> expected) {}

    private ScriptedBackend backend;
    private ChaosProxyServer server;
    private URI control;

    @BeforeEach
    void start() throws Exception {
        backend = new ScriptedBackend(connection -> {
            ScriptedBackend.Head head;
            while ((head = connection.readHead()) != null) {
                connection.readBody(head);
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        server = ChaosProxyServer.builder().upstream(backend.url().toString()).control("127.0.0.1:0")
                .controlToken(TOKEN).seed(5).build().start();
        control = server.controlUrl();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        backend.close();
    }

    @Test
    void everyHostileCallIsADocumented4xxWithAJsonErrorAndChangesNothing() throws Exception {
        List<Case> corpus = corpus();
        List<String> problems = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        List<String> trafficFailures = new CopyOnWriteArrayList<>();
        Thread traffic = new Thread(() -> {
            while (running.get()) {
                try {
                    RawHttp.Exchange reply = RawHttp.exchange(server.url(), "GET /traffic HTTP/1.1\r\nHost: x\r\n\r\n");
                    if (reply.status() == 200) {
                        served.incrementAndGet();
                        Thread.sleep(5); // steady traffic, not a second load test competing for the two cores
                    } else {
                        trafficFailures.add("status " + reply.status());
                    }
                } catch (Exception e) {
                    trafficFailures.add(e.toString());
                }
            }
        }, "data-plane-traffic");
        traffic.start();

        URI backendBefore = server.proxies().get(0).backends().get(0).uri();
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (int i = 0; i < corpus.size(); i++) {
            Case c = corpus.get(i);
            long t0 = System.nanoTime();
            RawHttp.Exchange reply = RawHttp.exchangeAndHalfClose(control, c.request(), 10_000);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            if (millis > 200) {
                System.out.println("[control-api-hostile-input] slow: " + millis + " ms " + c.name());
            }
            statuses.merge(reply.status(), 1, Integer::sum);
            String problem = check(c, reply);
            if (problem != null) {
                problems.add(c.name() + ": " + problem);
            }
            String changed = changedState(backendBefore);
            if (changed != null) {
                problems.add(c.name() + " left something behind: " + changed);
                server.reset();
            }
            if (i % 100 == 0) {
                // the API still does its job between the hostile calls
                assertThat(RawHttp.exchange(control, request("POST", "/faults", List.of(AUTH, "Content-Type: application/json"),
                        VALID_RULE), 10_000).status()).isEqualTo(201);
                assertThat(RawHttp.exchange(control, request("DELETE", "/faults", List.of(AUTH), null), 10_000).status()).isEqualTo(204);
            }
        }
        running.set(false);
        traffic.join(10_000);

        String summary = corpus.size() + " hostile calls, statuses " + statuses + "; " + served.get()
                + " data-plane requests served meanwhile";
        System.out.println("[control-api-hostile-input] " + summary);
        assertThat(problems).as(summary).isEmpty();
        assertThat(corpus.size()).isGreaterThanOrEqualTo(1_000);
        assertThat(trafficFailures).as("the data plane keeps serving throughout").isEmpty();
        assertThat(served.get()).as(summary).isGreaterThan(50);
        assertThat(RawHttp.exchange(control, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
    }

    private static String check(Case c, RawHttp.Exchange reply) {
        if (reply.status() >= 500 || reply.status() < 0) {
            return "got " + (reply.status() < 0 ? "no answer" : reply.status()) + ": " + abbreviate(reply.raw());
        }
        if (!c.expected().contains(reply.status())) {
            return "expected one of " + c.expected() + ", got " + reply.status() + ": " + abbreviate(reply.raw());
        }
        if (c.name().startsWith("HEAD ")) {
            return null; // no body to look at
        }
        String type = reply.header("Content-Type");
        if (type == null || !type.startsWith("application/json")) {
            return "error without a JSON content type: " + abbreviate(reply.raw());
        }
        try {
            JsonNode body = MAPPER.readTree(reply.body());
            if (body == null || !body.path("error").isTextual() || body.path("error").asText().isBlank() || !body.has("field")) {
                return "error body is not {error, field}: " + abbreviate(reply.body());
            }
        } catch (Exception e) {
            return "error body is not JSON: " + abbreviate(reply.body());
        }
        if (reply.status() == 401 && reply.header("WWW-Authenticate") == null) {
            return "401 without a WWW-Authenticate challenge";
        }
        if (reply.status() == 405 && reply.header("Allow") == null && !c.name().contains("CONNECT")) {
            return "405 without Allow";
        }
        return null;
    }

    /** What a refused call must not have changed; null when nothing did. */
    private String changedState(URI backendBefore) {
        if (!server.faults().rules().isEmpty()) {
            return "rules " + server.faults().rules();
        }
        List<String> proxies = server.proxies().stream().map(ProxyRuntime::name).toList();
        if (!proxies.equals(List.of("default"))) {
            return "proxies " + proxies;
        }
        if (server.scenarios().running().isPresent()) {
            return "a running scenario";
        }
        List<URI> backends = server.proxies().get(0).backends().stream().map(b -> b.uri()).toList();
        if (!backends.equals(List.of(backendBefore))) {
            return "backends " + backends;
        }
        return null;
    }

    // ---- the corpus ----

    private List<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        Random random = new Random(20_260_701L);
        authCases(cases);
        methodAndPathCases(cases);
        faultBodyCases(cases, random);
        proxyBodyCases(cases);
        scenarioBodyCases(cases);
        contentTypeCases(cases);
        queryAndPathParameterCases(cases);
        rawProtocolCases(cases);
        return cases;
    }

    /** Every route and method, with every kind of missing or wrong credential: 401, and a valid body changes nothing. */
    private static void authCases(List<Case> cases) {
        List<String> badCredentials = new ArrayList<>();
        badCredentials.add(null);
        badCredentials.add("Authorization:");
        badCredentials.add("Authorization: Bearer");
        badCredentials.add("Authorization: Bearer x");
        badCredentials.add("Authorization: Bearer " + TOKEN.substring(0, TOKEN.length() - 1));
        badCredentials.add("Authorization: Bearer " + TOKEN + "x");
        badCredentials.add("Authorization: Bearer " + TOKEN.toUpperCase());
        badCredentials.add("Authorization: Basic " + Base64.getEncoder().encodeToString(("admin:" + TOKEN).getBytes(StandardCharsets.UTF_8)));
        badCredentials.add("Authorization: Token " + TOKEN);
        badCredentials.add("Authorization: Bearer " + "A".repeat(8_000));
        badCredentials.add("Authorization: Bearer " + TOKEN.substring(1) + "\u00e9");
        badCredentials.add("Authorization: Bearer x\r\n" + AUTH); // two Authorization fields: ambiguous, refused
        badCredentials.add(AUTH + "\r\nAuthorization: Bearer x"); // whichever comes first
        badCredentials.add("Authorization: " + TOKEN);
        badCredentials.add("X-Authorization: Bearer " + TOKEN);
        for (String route : ROUTES) {
            for (String method : METHODS) {
                if (method.equals("GET") && route.equals("/")) {
                    continue; // the dashboard page answers without a token by design (DashboardRoutesTest); its data calls do not
                }
                for (String credential : badCredentials) {
                    List<String> headers = new ArrayList<>();
                    if (credential != null) {
                        headers.add(credential);
                    }
                    headers.add("Content-Type: application/json");
                    String body = method.equals("GET") || method.equals("DELETE") ? null : bodyFor(route);
                    cases.add(new Case(method + " " + route + " with " + abbreviate(String.valueOf(credential)),
                            request(method, route, headers, body), Set.of(401)));
                }
            }
        }
        cases.add(new Case("HEAD /status without a token", request("HEAD", "/status", List.of(), null), Set.of(401)));
        cases.add(new Case("/health/../status without a token", request("GET", "/health/../status", List.of(), null), Set.of(400, 401)));
        cases.add(new Case("/health%2F..%2Fstatus without a token", request("GET", "/health%2F..%2Fstatus", List.of(), null), Set.of(400, 401)));
        cases.add(new Case("/HEALTH without a token", request("GET", "/HEALTH", List.of(), null), Set.of(401)));
        cases.add(new Case("/health;x=1 without a token", request("GET", "/health;x=1", List.of(), null), Set.of(400, 401)));
        cases.add(new Case("//status without a token", request("GET", "//status", List.of(), null), Set.of(400, 401)));
        cases.add(new Case("absolute-form /status without a token", request("GET", "http://localhost/status", List.of(), null), Set.of(400, 401)));
        cases.add(new Case("POST /health without a token", request("POST", "/health", List.of(), "{}"), Set.of(401, 405)));
    }

    /** A body that would be accepted with the right token: proof that auth comes before anything else. */
    private static String bodyFor(String route) {
        return switch (route) {
            case "/faults" -> VALID_RULE;
            case "/proxies" -> "{\"name\":\"sneaky\"}";
            case "/proxies/default/upstreams" -> "{\"upstreams\":[\"http://127.0.0.1:9/\"]}";
            case "/scenarios" -> "{\"name\":\"outage\"}";
            default -> "{}";
        };
    }

    /** Known routes with methods they do not take (405), unknown paths (404). */
    private static void methodAndPathCases(List<Case> cases) {
        for (Map.Entry<String, Set<String>> route : ALLOWED.entrySet()) {
            for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO")) {
                if (!route.getValue().contains(method)) {
                    cases.add(new Case(method + " " + route.getKey(), request(method, route.getKey(), List.of(AUTH), null),
                            Set.of(405)));
                }
            }
        }
        List<String> unknown = List.of("/nope", "/faults/f1/extra", "/proxies/default/nope", "/status/x", "/metrics/x",
                "/" + "x".repeat(5_000), "/%E2%98%83", "/faults/../../etc/passwd", "/.git/config", "/admin",
                "/scenarios/running/x", "/requests/1", "/reset/now", "/proxies/ghost/upstreams/x", "/index.html");
        for (String path : unknown) {
            for (String method : List.of("GET", "POST", "DELETE")) {
                cases.add(new Case(method + " " + abbreviate(path), request(method, path, List.of(AUTH, "Content-Type: application/json"),
                        method.equals("POST") ? "{}" : null), Set.of(400, 404, 405)));
            }
        }
    }

    /** POST /faults: broken JSON, wrong types, huge and negative numbers, nesting, size. */
    private static void faultBodyCases(List<Case> cases, Random random) {
        List<String> valid = List.of(
                "{\"type\":\"latency\",\"delayMs\":200,\"jitterMs\":50,\"match\":{\"path\":\"/o/**\"}}",
                "{\"name\":\"x\",\"type\":\"error\",\"status\":503,\"body\":\"down\",\"headers\":{\"Retry-After\":\"1\"}}",
                "{\"type\":\"drop\",\"when\":\"mid-body\",\"afterBytes\":1024,\"mode\":\"close\",\"probability\":0.5}",
                "{\"type\":\"bandwidth\",\"bytesPerSecond\":1024,\"times\":3,\"after\":5,\"durationMs\":30000}",
                "{\"type\":\"hang\",\"proxy\":\"default\",\"target\":\"upstream\",\"match\":{\"methods\":[\"GET\"]}}");
        for (String rule : valid) {
            for (int i = 0; i < 15; i++) {
                cases.add(faults("truncated " + rule, rule.substring(0, 1 + random.nextInt(rule.length() - 1))));
            }
        }
        Map<String, String> numeric = new LinkedHashMap<>();
        numeric.put("delayMs", "{\"type\":\"latency\",\"delayMs\":%s}");
        numeric.put("jitterMs", "{\"type\":\"latency\",\"delayMs\":10,\"jitterMs\":%s}");
        numeric.put("status", "{\"type\":\"error\",\"status\":%s}");
        numeric.put("afterBytes", "{\"type\":\"drop\",\"when\":\"mid-body\",\"afterBytes\":%s}");
        numeric.put("bytesPerSecond", "{\"type\":\"bandwidth\",\"bytesPerSecond\":%s}");
        numeric.put("probability", "{\"type\":\"error\",\"probability\":%s}");
        numeric.put("times", "{\"type\":\"error\",\"times\":%s}");
        numeric.put("after", "{\"type\":\"error\",\"after\":%s}");
        numeric.put("durationMs", "{\"type\":\"error\",\"durationMs\":%s}");
        numeric.put("ratePerSecond", "{\"type\":\"error\",\"ratePerSecond\":%s}");
        List<String> badNumbers = List.of("-1", "-9223372036854775808", "9223372036854775808", "1e400", "-1e400", "1e20",
                "123456789012345678901234567890", "\"10\"", "true", "null0", "[1]", "{}", "1.5e3x", "NaN", "Infinity", "0x10", "--1");
        for (Map.Entry<String, String> field : numeric.entrySet()) {
            for (String number : badNumbers) {
                if (field.getKey().equals("probability") && number.equals("-1")) {
                    continue; // covered by the list below too; keep the corpus free of duplicates
                }
                cases.add(faults(field.getKey() + "=" + number, String.format(field.getValue(), number)));
            }
        }
        for (String odd : List.of("{\"type\":\"error\",\"probability\":1.0000001}", "{\"type\":\"error\",\"probability\":-0.1}",
                "{\"type\":\"error\",\"status\":399}", "{\"type\":\"error\",\"status\":600}", "{\"type\":\"error\",\"status\":200}",
                "{\"type\":\"latency\",\"delayMs\":-1}",
                "{\"type\":\"error\",\"durationMs\":-5}", "{\"type\":\"error\",\"durationMs\":0}",
                "{\"type\":\"bandwidth\",\"bytesPerSecond\":0}", "{\"type\":\"error\",\"times\":0}",
                "{\"type\":\"nope\"}", "{\"type\":\"ERROR\"}", "{\"type\":null}", "{\"type\":\"\"}", "{}",
                "{\"type\":\"error\",\"type\":\"latency\"}", "{\"type\":\"error\",\"unknown\":1}",
                "{\"type\":\"error\",\"match\":{\"path\":\"relative\"}}", "{\"type\":\"error\",\"match\":{\"path\":\"/a/***\"}}",
                "{\"type\":\"error\",\"match\":{\"methods\":\"GET\"}}", "{\"type\":\"error\",\"match\":{\"methods\":[1]}}",
                "{\"type\":\"error\",\"match\":{\"headers\":[\"a\"]}}", "{\"type\":\"error\",\"match\":{\"nope\":1}}",
                "{\"type\":\"error\",\"headers\":{\"Bad Name\":\"x\"}}", "{\"type\":\"error\",\"headers\":{\"X\":\"a\\r\\nInjected: 1\"}}",
                "{\"type\":\"drop\",\"when\":\"later\"}", "{\"type\":\"drop\",\"mode\":\"explode\"}",
                "{\"type\":\"error\",\"target\":\"sideways\"}", "{\"type\":\"error\",\"proxy\":\"ghost\"}",
                "{\"type\":\"error\",\"name\":\"\"}", "{\"type\":\"error\",\"name\":\"" + "n".repeat(10_000) + "\"}",
                "{\"type\":\"latency\",\"status\":503}", "{\"type\":\"error\",\"delayMs\":5}",
                "[{\"type\":\"latency\",\"delayMs\":1},{\"type\":\"nope\"}]", "[" + VALID_RULE + ",{}]", "[1,2]", "[[]]",
                "null", "1", "\"rule\"", "true", " ", "\n\t", "{", "}", "[", "]", "{\"type\":\"error\"}{\"type\":\"error\"}",
                "{\"type\":\"error\",}", "{'type':'error'}", "{\"type\":\"error\" /* c */}", "\u0000")) {
            cases.add(faults(abbreviate(odd), odd));
        }
        cases.add(faults("deep arrays", "[".repeat(100_000) + "]".repeat(100_000)));
        cases.add(faults("deep objects", "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000)));
        cases.add(faults("deep match", "{\"type\":\"error\",\"match\":" + "{\"path\":".repeat(1_000) + "\"/\"" + "}".repeat(1_000) + "}"));
        cases.add(faults("a 5000-digit status", "{\"type\":\"error\",\"status\":" + "9".repeat(5_000) + "}"));
        cases.add(new Case("a 2 MiB body", request("POST", "/faults", List.of(AUTH, "Content-Type: application/json"),
                "{\"type\":\"error\",\"body\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}"), Set.of(413)));
        cases.add(new Case("a 2 MiB chunked body", chunked("POST", "/faults", "{\"type\":\"error\",\"body\":\""
                + "x".repeat(2 * 1024 * 1024) + "\"}"), Set.of(413)));
        cases.add(new Case("a declared 5 GB body, expecting 100-continue", ("POST /faults HTTP/1.1\r\nHost: x\r\n" + AUTH
                + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 5000000000\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), Set.of(413)));
        cases.add(new Case("invalid UTF-8", concat(("POST /faults HTTP/1.1\r\nHost: x\r\n" + AUTH
                + "\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
                new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', ':', '1', '}'}), Set.of(400)));
        int mutated = 0;
        while (mutated < 60) {
            String rule = valid.get(random.nextInt(valid.size()));
            char[] chars = rule.toCharArray();
            String breakers = "{}[]:,\"\\";
            chars[random.nextInt(chars.length)] = breakers.charAt(random.nextInt(breakers.length()));
            String text = new String(chars);
            if (isJson(text)) {
                continue; // still well-formed, perhaps even a valid rule: not what this part of the corpus is for
            }
            cases.add(new Case("mutated " + text, request("POST", "/faults", List.of(AUTH, "Content-Type: application/json"), text),
                    Set.of(400)));
            mutated++;
        }
    }

    private static boolean isJson(String text) {
        try {
            MAPPER.readTree(text);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static Case faults(String name, String body) {
        return new Case("POST /faults " + abbreviate(name), request("POST", "/faults", List.of(AUTH, "Content-Type: application/json"), body),
                Set.of(400));
    }

    private static void proxyBodyCases(List<Case> cases) {
        Map<String, Integer> bodies = new LinkedHashMap<>();
        for (String bad : List.of("{}", "{\"name\":\"\"}", "{\"name\":\"has space\"}", "{\"name\":\"" + "p".repeat(5_000) + "\"}",
                "{\"name\":1}", "{\"name\":\"p\",\"listen\":\"127.0.0.1:-1\"}", "{\"name\":\"p\",\"listen\":\"127.0.0.1:70000\"}",
                "{\"name\":\"p\",\"listen\":\"nohost\"}", "{\"name\":\"p\",\"listen\":\":\"}", "{\"name\":\"p\",\"listen\":5}",
                "{\"name\":\"p\",\"upstreams\":\"http://127.0.0.1:9/\"}", "{\"name\":\"p\",\"upstreams\":[1]}",
                "{\"name\":\"p\",\"upstreams\":[\"file:///etc/passwd\"]}", "{\"name\":\"p\",\"upstreams\":[\"http://\"]}",
                "{\"name\":\"p\",\"upstreams\":[\"http://h/?q\"]}", "{\"name\":\"p\",\"extra\":true}", "[]", "\"p\"", "null",
                "{\"name\":\"p\",\"listen\":\"127.0.0.1:0\",\"upstreams\":[\"http://127.0.0.1:9/\",{}]}")) {
            bodies.put(bad, 400);
        }
        bodies.put("{\"name\":\"default\"}", 409);
        for (Map.Entry<String, Integer> body : bodies.entrySet()) {
            cases.add(new Case("POST /proxies " + abbreviate(body.getKey()), request("POST", "/proxies",
                    List.of(AUTH, "Content-Type: application/json"), body.getKey()), Set.of(body.getValue())));
        }
        for (String bad : List.of("{}", "{\"upstreams\":\"x\"}", "{\"upstreams\":[\"ftp://h/\"]}", "{\"upstreams\":[null]}",
                "{\"upstreams\":[],\"x\":1}", "[]", "{\"upstreams\":[\"http://h:99999/\"]}")) {
            cases.add(new Case("PUT upstreams " + bad, request("PUT", "/proxies/default/upstreams",
                    List.of(AUTH, "Content-Type: application/json"), bad), Set.of(400)));
            cases.add(new Case("PUT ghost upstreams " + bad, request("PUT", "/proxies/ghost/upstreams",
                    List.of(AUTH, "Content-Type: application/json"), bad), Set.of(400, 404)));
        }
    }

    private static void scenarioBodyCases(List<Case> cases) {
        List<String> json = List.of("{\"name\":\"no-such-scenario\"}", "{\"name\":5}", "{\"name\":null}", "{}",
                "{\"name\":\"s\",\"phases\":[]}", "{\"name\":\"s\",\"phases\":\"x\"}",
                "{\"name\":\"s\",\"phases\":[{\"duration\":\"-1s\",\"faults\":[]}]}",
                "{\"name\":\"s\",\"phases\":[{\"duration\":\"0s\",\"faults\":[]}]}",
                "{\"name\":\"s\",\"phases\":[{\"duration\":\"abc\",\"faults\":[]}]}",
                "{\"name\":\"s\",\"phases\":[{\"duration\":\"99999999999999999999d\",\"faults\":[]}]}",
                "{\"name\":\"s\",\"phases\":[{\"duration\":-5,\"faults\":[]}]}",
                "{\"name\":\"s\",\"phases\":[{\"duration\":\"1s\",\"faults\":[{\"type\":\"latency\",\"delayMs\":-1}]}]}",
                "{\"name\":\"s\",\"phases\":[{\"duration\":\"1s\",\"faults\":[{\"type\":\"error\",\"proxy\":\"ghost\"}]}]}",
                "{\"name\":\"s\",\"phases\":[{\"duration\":\"1s\",\"faults\":[],\"ramp\":{\"field\":\"nope\",\"from\":0,\"to\":1}}]}",
                "{\"name\":\"s\",\"phases\":[{\"duration\":\"1s\",\"faults\":[],\"ramp\":{\"field\":\"probability\",\"from\":0,\"to\":7}}]}",
                "{\"name\":\"s\",\"repeat\":\"yes\",\"phases\":[{\"duration\":\"1s\",\"faults\":[]}]}",
                "{\"name\":\"s\",\"phases\":[{\"duration\":\"1s\",\"faults\":[]}],\"extra\":1}",
                "{\"name\":\"outage\",\"phases\":null}", "[]", "\"outage\"");
        for (String body : json) {
            cases.add(new Case("POST /scenarios " + abbreviate(body), request("POST", "/scenarios",
                    List.of(AUTH, "Content-Type: application/json"), body), Set.of(400)));
        }
        StringBuilder laughs = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            laughs.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                laughs.append(i == 0 ? "" : ",").append('*').append((char) (c - 1));
            }
            laughs.append("]\n");
        }
        List<String> yaml = List.of(laughs.toString(), "name: s\nphases: [\n", "name: s\n  bad: indent\n :",
                "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://127.0.0.1:9/\"]]]]",
                "name: !!java.io.File /etc/passwd\nphases: []", "- " .repeat(2_000) + "x", "name: s\nphases:\n  - duration: -1s\n    faults: []",
                "---\nname: a\n---\nname: b\n", "\t", "[" .repeat(5_000));
        for (String body : yaml) {
            cases.add(new Case("POST /scenarios YAML " + abbreviate(body), request("POST", "/scenarios",
                    List.of(AUTH, "Content-Type: application/yaml"), body), Set.of(400)));
        }
    }

    /** A body that would be accepted, sent as anything but JSON: 415 (or YAML where only JSON is taken). */
    private static void contentTypeCases(List<Case> cases) {
        Map<String, String> writes = new LinkedHashMap<>();
        writes.put("POST /faults", VALID_RULE);
        writes.put("POST /proxies", "{\"name\":\"typed\"}");
        writes.put("PUT /proxies/default/upstreams", "{\"upstreams\":[\"http://127.0.0.1:9/\"]}");
        writes.put("POST /scenarios", "{\"name\":\"outage\"}");
        List<String> types = List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/jsonp", "json", "text/html", "application/octet-stream",
                ";;;", "application/yaml-not", "*/*", "application/x-java-serialized-object");
        for (Map.Entry<String, String> write : writes.entrySet()) {
            String[] parts = write.getKey().split(" ");
            for (String type : types) {
                cases.add(new Case(write.getKey() + " as " + type, request(parts[0], parts[1],
                        List.of(AUTH, "Content-Type: " + type), write.getValue()), Set.of(415)));
            }
            if (!parts[1].equals("/scenarios")) {
                cases.add(new Case(write.getKey() + " as YAML", request(parts[0], parts[1],
                        List.of(AUTH, "Content-Type: application/yaml"), write.getValue()), Set.of(415)));
            }
            cases.add(new Case(write.getKey() + " empty", request(parts[0], parts[1],
                    List.of(AUTH, "Content-Type: application/json"), ""), Set.of(400)));
        }
    }

    private static void queryAndPathParameterCases(List<Case> cases) {
        for (String query : List.of("nope=1", "limit=-1", "limit=abc", "limit=1e10", "limit=99999999999", "status=abc",
                "status=99", "status=600", "status=-1", "path=relative", "path=/a/***", "path=%zz", "%zz=1", "limit=1&limit=2",
                "method=GET&method=POST", "fault=%", "limit=%00", "proxy=a&nope", "=1", "limit=" + "9".repeat(1_000))) {
            cases.add(new Case("GET /requests?" + abbreviate(query), request("GET", "/requests?" + query, List.of(AUTH), null),
                    Set.of(400)));
        }
        for (String id : List.of("f999", "%00", "%zz", "..%2f..%2fstatus", "x".repeat(3_000), "%E2%98%83", "f1;x", "'", "\"",
                "f1%0d%0aInjected:%201")) {
            cases.add(new Case("GET /faults/" + abbreviate(id), request("GET", "/faults/" + id, List.of(AUTH), null), Set.of(400, 404)));
            cases.add(new Case("DELETE /faults/" + abbreviate(id), request("DELETE", "/faults/" + id, List.of(AUTH), null), Set.of(400, 404)));
            cases.add(new Case("GET /proxies/" + abbreviate(id), request("GET", "/proxies/" + id, List.of(AUTH), null), Set.of(400, 404)));
            cases.add(new Case("DELETE /proxies/" + abbreviate(id), request("DELETE", "/proxies/" + id, List.of(AUTH), null), Set.of(400, 404)));
        }
        cases.add(new Case("DELETE /scenarios/running with none running", request("DELETE", "/scenarios/running", List.of(AUTH), null), Set.of(404)));
        cases.add(new Case("GET /scenarios/running with none running", request("GET", "/scenarios/running", List.of(AUTH), null), Set.of(404)));
    }

    /** Bytes that are barely HTTP, at Jetty's level, before any route. */
    private static void rawProtocolCases(List<Case> cases) {
        Map<String, String> raw = new LinkedHashMap<>();
        raw.put("CONNECT", "CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n" + AUTH + "\r\n\r\n");
        raw.put("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
        raw.put("a request line of garbage", "\u0001\u0002\u0003 garbage\r\n\r\n");
        raw.put("no version", "GET /status\r\nHost: x\r\n\r\n");
        raw.put("HTTP/1.2", "GET /status HTTP/1.2\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
        raw.put("HTTP/2.0 in HTTP/1 framing", "GET /status HTTP/2.0\r\nHost: x\r\n\r\n");
        raw.put("bare LF", "GET /status HTTP/1.1\nHost: x\n" + AUTH + "\n\n");
        raw.put("obs-fold", "GET /status HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n" + AUTH + "\r\n\r\n");
        raw.put("CL and TE", "POST /faults HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        raw.put("two Content-Lengths", "POST /faults HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}");
        raw.put("a bad chunk size", "POST /faults HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
        raw.put("a short body", "POST /faults HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"type\":\"error\"}");
        raw.put("a 40 KiB URI", "GET /" + "u".repeat(40 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        raw.put("a 40 KiB header", "GET /status HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(40 * 1024) + "\r\n\r\n");
        raw.put("no Host", "GET /status HTTP/1.1\r\n" + AUTH + "\r\n\r\n");
        raw.put("a NUL in a header", "GET /status HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n" + AUTH + "\r\n\r\n");
        raw.put("a lower-case method", "get /status HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
        for (Map.Entry<String, String> entry : raw.entrySet()) {
            cases.add(new Case("raw: " + entry.getKey(), entry.getValue().getBytes(StandardCharsets.ISO_8859_1),
                    Set.of(400, 404, 405, 414, 431, 426)));
        }
    }

    // ---- building requests ----

    private static byte[] request(String method, String target, List<String> headers, String body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            head.append("Content-Length: ").append(content.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        return concat(head.toString().getBytes(StandardCharsets.UTF_8), content);
    }

    private static byte[] chunked(String method, String target, String body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((method + " " + target + " HTTP/1.1\r\nHost: x\r\n" + AUTH
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (int offset = 0; offset < bytes.length; offset += 65_536) {
            int n = Math.min(65_536, bytes.length - offset);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes, offset, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String abbreviate(String text) {
        String flat = text.replace("\r", "\\r").replace("\n", "\\n");
        return flat.length() > 120 ? flat.substring(0, 120) + "...(" + flat.length() + ")" : flat;
    }
}
