package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Installing, naming, finding, replacing and removing rules, and who hears about it. */
class FaultEngineLifecycleTest {

    private final TestClock clock = new TestClock();
    private final FaultEngine engine = new FaultEngine(1, clock);
    private final List<String> removed = new CopyOnWriteArrayList<>();

    {
        engine.onRemoved(rule -> removed.add(rule.id()));
    }

    private static FaultRule hang() {
        return FaultRule.builder(new Hang()).build();
    }

    private static FaultRule named(String name) {
        return FaultRule.builder(new Hang()).name(name).build();
    }

    @Test
    void installGivesShortUniqueIdsAndGeneratedNames() {
        InstalledRule first = engine.install(FaultRule.builder(new Latency(5)).build(), "api");
        InstalledRule second = engine.install(FaultRule.builder(new Latency(5)).build(), "api");
        InstalledRule error = engine.install(FaultRule.builder(new ErrorResponse(500)).build(), "config");

        assertThat(List.of(first.id(), second.id(), error.id())).containsExactly("f1", "f2", "f3");
        assertThat(first.rule().id()).isEqualTo("f1");
        assertThat(first.rule().name()).isEqualTo("latency-1");
        assertThat(second.rule().name()).isEqualTo("latency-2");
        assertThat(error.rule().name()).isEqualTo("error-1");
        assertThat(error.origin()).isEqualTo("config");
        assertThat(error.installedAt()).isEqualTo(clock.instant());
        assertThat(error.expiresAt()).isNull();
    }

    @Test
    void givenNameIsKept() {
        assertThat(engine.install(named("slow-orders"), "api").rule().name()).isEqualTo("slow-orders");
    }

    @Test
    void idGivenByTheCallerIsReplaced() {
        assertThat(engine.install(hang().withId("mine"), "api").id()).isEqualTo("f1");
    }

    @Test
    void takenNameIsRefused() {
        engine.install(named("x"), "api");

        assertThatThrownBy(() -> engine.install(named("x"), "api"))
                .isInstanceOf(NameTakenException.class)
                .hasMessage("name \"x\" is already taken by rule f1")
                .extracting(e -> ((NameTakenException) e).field()).isEqualTo("name");
        assertThat(engine.rules()).hasSize(1);
    }

    @Test
    void generatedNamesStepOverTakenNames() {
        engine.install(named("hang-1"), "api");

        assertThat(engine.install(hang(), "api").rule().name()).isEqualTo("hang-2");
    }

    @Test
    void generatedNamesAreNeverReused() {
        InstalledRule first = engine.install(hang(), "api");
        engine.remove(first.id());

        assertThat(engine.install(hang(), "api").rule().name()).isEqualTo("hang-2");
    }

    @Test
    void nameOfARemovedRuleIsFreeAgain() {
        InstalledRule first = engine.install(named("x"), "api");
        engine.remove(first.id());

        assertThat(engine.install(named("x"), "api").rule().name()).isEqualTo("x");
    }

    @Test
    void installAllIsAllOrNothingOnANameRepeatedInTheList() {
        assertThatThrownBy(() -> engine.installAll(List.of(named("a"), named("b"), named("a")), "config"))
                .isInstanceOf(NameTakenException.class)
                .hasMessage("name \"a\" is given to more than one rule");
        assertThat(engine.rules()).isEmpty();
    }

    @Test
    void installAllIsAllOrNothingOnANameAlreadyTaken() {
        engine.install(named("b"), "api");

        assertThatThrownBy(() -> engine.installAll(List.of(named("a"), named("b")), "config"))
                .isInstanceOf(NameTakenException.class);
        assertThat(engine.rules()).extracting(r -> r.rule().name()).containsExactly("b");
    }

    @Test
    void installAllGeneratesNamesAroundTheNamesInTheList() {
        List<InstalledRule> rules = engine.installAll(List.of(hang(), named("hang-1")), "config");

        assertThat(rules).extracting(r -> r.rule().name()).containsExactly("hang-2", "hang-1");
        assertThat(rules).extracting(InstalledRule::origin).containsOnly("config");
    }

    @Test
    void rulesAreListedInInstallationOrder() {
        engine.install(named("c"), "api");
        engine.install(named("a"), "api");
        engine.install(named("b"), "api");

        assertThat(engine.rules()).extracting(r -> r.rule().name()).containsExactly("c", "a", "b");
    }

    @Test
    void findRemoveAndRemoveAll() {
        InstalledRule a = engine.install(named("a"), "api");
        InstalledRule b = engine.install(named("b"), "api");
        engine.install(named("c"), "api");

        assertThat(engine.find(a.id())).containsSame(a);
        assertThat(engine.find("f99")).isEmpty();
        assertThat(engine.remove(a.id())).isTrue();
        assertThat(engine.remove(a.id())).isFalse();
        assertThat(engine.find(a.id())).isEmpty();
        assertThat(engine.removeAll()).extracting(r -> r.rule().name()).containsExactly("b", "c");
        assertThat(engine.rules()).isEmpty();
        assertThat(removed).containsExactly(a.id(), b.id(), "f3");
    }

    @Test
    void removeIfTakesEveryRuleItPicks() {
        engine.install(named("a"), "scenario:outage/phase-0");
        engine.install(named("b"), "api");
        engine.install(named("c"), "scenario:outage/phase-0");

        List<InstalledRule> gone = engine.removeIf(r -> r.origin().startsWith("scenario:"));

        assertThat(gone).extracting(r -> r.rule().name()).containsExactly("a", "c");
        assertThat(engine.rules()).extracting(r -> r.rule().name()).containsExactly("b");
    }

    @Test
    void replaceSwapsRulesInOneStepAndFreesTheirNames() {
        engine.install(named("api-rule"), "api");
        InstalledRule old = engine.install(named("outage"), "scenario:x/phase-0");

        List<InstalledRule> added = engine.replace(r -> r.origin().startsWith("scenario:"),
                List.of(named("outage"), hang()), "scenario:x/phase-1");

        assertThat(added).extracting(InstalledRule::origin).containsOnly("scenario:x/phase-1");
        assertThat(engine.rules()).extracting(r -> r.rule().name()).containsExactly("api-rule", "outage", "hang-1");
        assertThat(removed).containsExactly(old.id());
    }

    @Test
    void refusedReplaceChangesNothing() {
        engine.install(named("taken"), "api");
        InstalledRule phase = engine.install(named("p"), "scenario:x/phase-0");

        assertThatThrownBy(() -> engine.replace(r -> r.origin().startsWith("scenario:"),
                List.of(named("taken")), "scenario:x/phase-1")).isInstanceOf(NameTakenException.class);
        assertThat(engine.rules()).extracting(r -> r.rule().name()).containsExactly("taken", "p");
        assertThat(engine.find(phase.id())).isPresent();
        assertThat(removed).isEmpty();
    }

    @Test
    void readersNeverSeeAHalfReplacedSet() throws Exception {
        engine.install(FaultRule.builder(new Latency(1)).name("a").build(), "scenario:x/phase-0");
        engine.install(FaultRule.builder(new Latency(2)).name("b").build(), "scenario:x/phase-0");
        List<Long> seen = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            for (int i = 0; i < 50_000; i++) {
                long delay = engine.decide(Request.get("/"), Target.CLIENT).delayMs();
                if (delay != 3 && delay != 30) {
                    seen.add(delay);
                }
            }
        });
        reader.start();
        for (int i = 0; reader.isAlive(); i++) {
            long base = i % 2 == 0 ? 10 : 1;
            engine.replace(r -> true, List.of(
                    FaultRule.builder(new Latency(base)).name("a").build(),
                    FaultRule.builder(new Latency(2 * base)).name("b").build()), "scenario:x/phase-" + i);
        }
        reader.join();

        assertThat(seen).as("delays from a mix of two phases, or from none").isEmpty();
    }

    @Test
    void listenersHearOfExpiry() {
        InstalledRule short1 = engine.install(FaultRule.builder(new Hang()).durationMs(100).build(), "api");
        InstalledRule lasting = engine.install(hang(), "api");

        clock.advanceMillis(100);

        assertThat(engine.rules()).containsExactly(lasting);
        assertThat(removed).containsExactly(short1.id());
    }

    @Test
    void decideNoticesExpiryAndTellsListeners() {
        InstalledRule expiring = engine.install(FaultRule.builder(new Hang()).durationMs(100).build(), "api");
        clock.advanceMillis(150);

        assertThat(engine.decide(Request.get("/"), Target.CLIENT).isEmpty()).isTrue();

        assertThat(removed).containsExactly(expiring.id());
        assertThat(engine.find(expiring.id())).isEmpty();
    }

    @Test
    void anExpiredRulesNameIsFreeAgain() {
        engine.install(FaultRule.builder(new Hang()).name("x").durationMs(100).build(), "api");
        clock.advance(Duration.ofSeconds(1));

        assertThat(engine.install(named("x"), "api").rule().name()).isEqualTo("x");
    }

    @Test
    void aFailingListenerNeverBreaksTheEngine() {
        engine.onRemoved(rule -> {
            throw new IllegalStateException("listener bug");
        });
        List<String> later = new ArrayList<>();
        engine.onRemoved(rule -> later.add(rule.id()));
        InstalledRule rule = engine.install(hang(), "api");

        assertThat(engine.remove(rule.id())).isTrue();
        assertThat(later).containsExactly(rule.id());
        assertThat(engine.rules()).isEmpty();
    }

    @Test
    void listenersMayCallBackIntoTheEngine() {
        engine.onRemoved(rule -> engine.install(named("after-" + rule.rule().name()), "api"));
        InstalledRule rule = engine.install(named("x"), "api");

        engine.remove(rule.id());

        assertThat(engine.rules()).extracting(r -> r.rule().name()).containsExactly("after-x");
    }

    @Test
    void keepsItsSeed() {
        assertThat(new FaultEngine(1234, clock).seed()).isEqualTo(1234);
    }

    @Test
    void installedRuleReportsItselfAsJson() {
        InstalledRule rule = engine.install(
                FaultRule.builder(new ErrorResponse(503)).name("e").times(2).durationMs(60_000).build(), "api");
        engine.decide(Request.get("/"), Target.CLIENT);
        engine.decide(Request.get("/"), Target.CLIENT);

        ObjectNode json = rule.toJson();

        assertThat(json.get("id").asText()).isEqualTo("f1");
        assertThat(json.get("name").asText()).isEqualTo("e");
        assertThat(json.get("type").asText()).isEqualTo("error");
        assertThat(json.get("status").asInt()).isEqualTo(503);
        assertThat(json.get("fired").asLong()).isEqualTo(2);
        assertThat(json.get("matched").asLong()).isEqualTo(2);
        assertThat(json.get("exhausted").asBoolean()).isTrue();
        assertThat(json.get("origin").asText()).isEqualTo("api");
        assertThat(json.get("installedAt").asText()).isEqualTo("2025-01-01T00:00:00Z");
        assertThat(json.get("expiresAt").asText()).isEqualTo("2025-01-01T00:01:00Z");
    }

    @Test
    void ruleThatNeverExpiresHasNoExpiresAtInJson() {
        assertThat(engine.install(hang(), "api").toJson().has("expiresAt")).isFalse();
    }
}
