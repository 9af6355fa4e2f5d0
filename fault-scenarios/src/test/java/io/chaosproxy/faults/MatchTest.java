package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MatchTest {

    @Test
    void anyMatchesEveryRequest() {
        assertThat(Match.ANY.matches(Request.of("DELETE", "/whatever"))).isTrue();
        assertThat(Match.ANY.isAny()).isTrue();
    }

    @Test
    void methodsAreStoredAndComparedUpperCase() {
        Match match = new Match(Set.of("get", "Post"), null, Map.of());

        assertThat(match.methods()).containsExactlyInAnyOrder("GET", "POST");
        assertThat(match.matches(Request.of("GET", "/"))).isTrue();
        assertThat(match.matches(Request.of("post", "/"))).isTrue();
        assertThat(match.matches(Request.of("PUT", "/"))).isFalse();
    }

    @Test
    void pathConditionUsesTheGlob() {
        Match match = new Match(Set.of(), PathGlob.compile("/orders/**"), Map.of());

        assertThat(match.matches(Request.get("/orders/1"))).isTrue();
        assertThat(match.matches(Request.get("/users/1"))).isFalse();
    }

    @Test
    void headerNamesAreCaseInsensitiveButValuesExact() {
        Match match = new Match(Set.of(), null, Map.of("X-Tenant", "a"));

        assertThat(match.matches(Request.get("/").header("x-tenant", "a"))).isTrue();
        assertThat(match.matches(Request.get("/").header("X-TENANT", "a"))).isTrue();
        assertThat(match.matches(Request.get("/").header("X-Tenant", "A"))).isFalse();
        assertThat(match.matches(Request.get("/"))).isFalse();
    }

    @Test
    void everyConditionMustHold() {
        Match match = new Match(Set.of("GET"), PathGlob.compile("/orders/*"), Map.of("X-Tenant", "a"));

        assertThat(match.matches(Request.get("/orders/1").header("X-Tenant", "a"))).isTrue();
        assertThat(match.matches(Request.of("POST", "/orders/1").header("X-Tenant", "a"))).isFalse();
        assertThat(match.matches(Request.get("/orders/1/x").header("X-Tenant", "a"))).isFalse();
        assertThat(match.matches(Request.get("/orders/1").header("X-Tenant", "b"))).isFalse();
    }

    @Test
    void invalidMethodIsRefused() {
        assertThatThrownBy(() -> new Match(Set.of("GE T"), null, Map.of()))
                .isInstanceOf(FaultSpecException.class)
                .hasMessage("match.methods has an invalid HTTP method \"GE T\"");
    }

    @Test
    void invalidHeaderNameIsRefused() {
        assertThatThrownBy(() -> new Match(Set.of(), null, Map.of("X Tenant", "a")))
                .hasMessage("match.headers has an invalid header name \"X Tenant\"");
    }

    @Test
    void headerNamedTwiceInDifferentCaseIsRefused() {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("X-Tenant", "a");
        headers.put("x-tenant", "b");
        assertThatThrownBy(() -> new Match(Set.of(), null, headers))
                .hasMessage("match.headers names x-tenant twice (header names are case-insensitive)");
    }

    @Test
    void nullsMeanAny() {
        Match match = new Match(null, null, null);
        assertThat(match).isEqualTo(Match.ANY);
    }
}
