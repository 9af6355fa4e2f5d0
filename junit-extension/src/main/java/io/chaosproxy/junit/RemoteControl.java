package io.chaosproxy.junit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.FaultRuleJson;
import io.chaosproxy.faults.FaultRuleParser;
import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.NameTakenException;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.faults.ScenarioJson;
import io.chaosproxy.proxy.events.ProxyEvent;
import io.chaosproxy.proxy.journal.JournalEntry;
import io.chaosproxy.proxy.resilience.BreakerState;
import io.chaosproxy.proxy.journal.JournalEntryJson;
import io.chaosproxy.proxy.journal.JournalQuery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.NoSuchElementException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * A {@link ProxyControl} over a standalone proxy's control API (JSON over HTTP). Failures carry
 * the API's own message and field, in the exception the in-process control throws for the same
 * mistake: a bad rule is a {@link FaultSpecException}, a taken name a {@link NameTakenException},
 * an unknown proxy a {@link NoSuchElementException}.
 */
final class RemoteControl implements ProxyControl {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Control calls answer in milliseconds; a call that takes longer is a proxy in trouble, better reported than waited for. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    /** The journal has no change feed over HTTP: poll it, often enough that an await ends promptly. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(25);

    private final HttpUrl base;
    private final String token;
    private final OkHttpClient client;

    RemoteControl(URI controlUrl, String token) {
        HttpUrl parsed = controlUrl == null ? null : HttpUrl.get(controlUrl);
        if (parsed == null) {
            throw new IllegalArgumentException("the control URL must be an http(s) URL such as http://127.0.0.1:8474, got " + controlUrl);
        }
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("the control token must not be blank");
        }
        this.base = parsed.newBuilder().encodedPath("/").build();
        this.token = token;
        this.client = new OkHttpClient.Builder()
                // A replayed POST /faults would install a rule twice: never retry silently.
                .retryOnConnectionFailure(false)
                .callTimeout(CALL_TIMEOUT)
                .build();
    }

    @Override
    public URI url(String proxyName) {
        JsonNode proxy = call("GET", path("proxies", proxyName), null);
        HttpUrl reported = HttpUrl.get(proxy.path("url").asText());
        // The proxy reports the address it sees; from another machine, the host the control API is reached at is the one to use.
        if (isLocal(reported.host()) && !isLocal(base.host())) {
            reported = reported.newBuilder().host(base.host()).build();
        }
        return reported.uri();
    }

    @Override
    public String address(String proxyName) {
        JsonNode proxy = call("GET", path("proxies", proxyName), null);
        URI reported = URI.create(proxy.path("url").asText());
        String host = isLocal(reported.getHost()) && !isLocal(base.host()) ? base.host() : reported.getHost();
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + reported.getPort();
    }

    @Override
    public void upstreams(String proxyName, List<URI> upstreams) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode array = body.putArray("upstreams");
        upstreams.forEach(upstream -> array.add(upstream.toString()));
        call("PUT", path("proxies", proxyName, "upstreams"), body);
    }

    @Override
    public InjectedFault inject(FaultRule rule) {
        JsonNode answer;
        try {
            answer = call("POST", path("faults"), FaultRuleJson.toJson(rule));
        } catch (NameTakenException e) {
            throw new NameTakenException(rule.name(), e.getMessage()); // the answer does not say which name
        }
        FaultRule installed = FaultRuleParser.parseReported(answer);
        return new InjectedFault(installed, () -> fired(installed), () -> removeFault(installed.id()));
    }

    @Override
    public void removeFaults() {
        call("DELETE", path("faults"), null);
    }

    @Override
    public void startScenario(String builtInName) {
        call("POST", path("scenarios"), JsonNodeFactory.instance.objectNode().put("name", builtInName));
    }

    @Override
    public void startScenario(Scenario scenario) {
        call("POST", path("scenarios"), ScenarioJson.toJson(scenario));
    }

    @Override
    public boolean stopScenario() {
        try {
            call("DELETE", path("scenarios", "running"), null);
            return true;
        } catch (NoSuchElementException none) {
            return false;
        }
    }

    @Override
    public List<JournalEntry> requests(JournalQuery query) {
        HttpUrl.Builder url = path("requests").newBuilder();
        addFilter(url, "proxy", query.proxy());
        addFilter(url, "method", query.method());
        addFilter(url, "path", query.path());
        addFilter(url, "status", query.status());
        addFilter(url, "fault", query.fault());
        addFilter(url, "limit", query.limit());
        JsonNode entries = call("GET", url.build(), null);
        List<JournalEntry> read = new ArrayList<>(entries.size());
        for (JsonNode entry : entries) {
            read.add(entry(entry));
        }
        return read;
    }

    @Override
    public void awaitMore(JournalQuery query, int seen, Duration atMost) throws InterruptedException {
        Thread.sleep(Math.max(1, Math.min(atMost.toMillis(), POLL_INTERVAL.toMillis())));
    }

    @Override
    public void reset() {
        call("POST", path("reset"), null);
    }

    @Override
    public void reset(long seed) {
        call("POST", path("reset").newBuilder().addQueryParameter("seed", Long.toString(seed)).build(), null);
    }

    @Override
    public long seed() {
        return call("GET", path("status"), null).path("seed").asLong();
    }

    @Override
    public List<ProxyEvent> events() {
        List<ProxyEvent> events = new ArrayList<>();
        for (JsonNode event : call("GET", path("events"), null).path("events")) {
            Instant at = Instant.parse(event.path("at").asText());
            String scenario = event.path("scenario").asText(null);
            switch (event.path("type").asText()) {
                case "breaker" -> events.add(new ProxyEvent.BreakerTransition(at, event.path("proxy").asText(),
                        event.path("backend").asText(), BreakerState.valueOf(event.path("from").asText()),
                        BreakerState.valueOf(event.path("to").asText())));
                case "phase" -> events.add(new ProxyEvent.PhaseChange(at, scenario, event.path("phase").asInt(),
                        event.path("round").asInt()));
                case "scenario-end" -> events.add(new ProxyEvent.ScenarioEnd(at, scenario, event.path("reason").asText(null)));
                default -> { } // a kind a newer proxy knows: the report draws what it understands
            }
        }
        return events;
    }

    @Override
    public Optional<URI> controlUrl() {
        return Optional.of(base.uri());
    }

    @Override
    public String describe() {
        return "the chaos proxy whose control API is at " + base;
    }

    /** GET /status needs the token where /health does not, so this checks both reachability and the token. */
    @Override
    public void verify() {
        call("GET", path("status"), null);
    }

    /** Lets go of pooled connections; the control stays usable, for the next test class that uses it. */
    @Override
    public void close() {
        client.connectionPool().evictAll();
    }

    private long fired(FaultRule installed) {
        try {
            return call("GET", path("faults", installed.id()), null).path("fired").asLong();
        } catch (NoSuchElementException gone) {
            throw new IllegalStateException("fault " + installed.id() + " (" + installed.name() + ") is no longer installed on "
                    + describe() + " (removed, expired or reset), so its count cannot be read; read fired() before removing it", gone);
        }
    }

    private boolean removeFault(String id) {
        try {
            call("DELETE", path("faults", id), null);
            return true;
        } catch (NoSuchElementException gone) {
            return false;
        }
    }

    /** Sends one call and reads its JSON answer (null for 204); any other answer becomes the matching exception. */
    private JsonNode call(String method, HttpUrl url, JsonNode body) {
        Request.Builder request = new Request.Builder().url(url)
                .method(method, body == null ? (method.equals("POST") || method.equals("PUT") ? RequestBody.create(new byte[0], JSON) : null)
                        : RequestBody.create(body.toString(), JSON))
                .header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        String call = method + " " + url.encodedPath() + (url.encodedQuery() == null ? "" : "?" + url.encodedQuery());
        try (Response response = client.newCall(request.build()).execute()) {
            ResponseBody responseBody = response.body();
            String text = responseBody == null ? "" : responseBody.string();
            if (response.isSuccessful()) {
                return response.code() == 204 || text.isEmpty() ? null : MAPPER.readTree(text);
            }
            throw failure(call, response.code(), text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the chaos-proxy control API at " + base + " (" + call + "): "
                    + e.getMessage(), e);
        }
    }

    private RuntimeException failure(String call, int status, String text) {
        String error = text;
        String field = null;
        try {
            JsonNode json = MAPPER.readTree(text);
            if (json != null && json.hasNonNull("error")) {
                error = json.get("error").asText();
                field = json.hasNonNull("field") ? json.get("field").asText() : null;
            }
        } catch (IOException notJson) {
            // Not the API's error shape (a proxy in front, say): the raw text is the best account.
        }
        boolean faultModel = call.contains(" /faults") || call.contains(" /scenarios");
        if (status == 400 && faultModel) {
            return new FaultSpecException(field, error); // the fault model's own message, as in process
        }
        if (status == 409 && faultModel && "name".equals(field)) {
            return new NameTakenException(null, error);
        }
        String message = "chaos-proxy at " + base + " answered " + call + " with " + status
                + (field == null ? "" : " (field " + field + ")") + ": " + error;
        return switch (status) {
            case 400 -> new IllegalArgumentException(message);
            case 401 -> new IllegalStateException(message + (token == null
                    ? " (this proxy needs a token: ChaosProxy.remote(url, token))" : " (check the token given to ChaosProxy.remote)"));
            case 404 -> new NoSuchElementException(message);
            default -> new IllegalStateException(message);
        };
    }

    private HttpUrl path(String... segments) {
        HttpUrl.Builder url = base.newBuilder();
        for (String segment : segments) {
            url.addPathSegment(segment);
        }
        return url.build();
    }

    private static void addFilter(HttpUrl.Builder url, String name, Object value) {
        if (value != null) {
            url.addQueryParameter(name, value.toString());
        }
    }

    /** The contract's journal entry, read back into the type the in-process journal holds. */
    static JournalEntry entry(JsonNode json) {
        return JournalEntryJson.fromJson(json);
    }

    private static boolean isLocal(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("0.0.0.0");
    }
}
