package io.chaosproxy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathGlobTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "/orders,            /orders,               true",
            "/orders,            /orders/,              true",
            "/orders/,           /orders,               true",
            "/orders,            /order,                false",
            "/orders,            /orders/1,             false",
            "/orders/*,          /orders/42,            true",
            "/orders/*,          /orders/42/,           true",
            "/orders/*,          /orders,               false",
            "/orders/*,          /orders/,              false",
            "/orders/*,          /orders/42/items,      false",
            "/orders/*/items,    /orders/42/items,      true",
            "/orders/*/items,    /orders/42/43/items,   false",
            "/orders/**,         /orders,               true",
            "/orders/**,         /orders/,              true",
            "/orders/**,         /orders/42,            true",
            "/orders/**,         /orders/42/items/7,    true",
            "/orders/**,         /ordersx/42,           false",
            "/**/items,          /items,                true",
            "/**/items,          /a/b/c/items,          true",
            "/**/items,          /a/b/c/items/x,        false",
            "/a/**/b/**/c,       /a/b/c,                true",
            "/a/**/b/**/c,       /a/x/b/y/z/c,          true",
            "/a/**/b/**/c,       /a/x/y/c,              false",
            "/a/**/**/b,         /a/b,                  true",
            "/files/*.json,      /files/a.json,         true",
            "/files/*.json,      /files/.json,          true",
            "/files/*.json,      /files/a.xml,          false",
            "/files/*.json,      /files/a/b.json,       false",
            "/files/v*-*.json,   /files/v1-beta.json,   true",
            "/files/v*-*.json,   /files/v1.json,        false",
            "/files/a*a,         /files/a,              false",
            "/files/a*a,         /files/aa,             true",
            "/,                  /,                     true",
            "/,                  '',                    true",
            "/,                  /a,                    false",
            "/*,                 /,                     false",
            "/*,                 /a,                    true",
            "/**,                /,                     true",
            "/**,                /any/thing/at/all,     true",
    })
    void matchesSegmentBySegment(String glob, String path, boolean expected) {
        assertThat(PathGlob.compile(glob).matches(path)).isEqualTo(expected);
    }

    @Test
    void queryStringIsNeverPartOfThePath() {
        assertThat(PathGlob.compile("/orders/*").matches("/orders/1?debug=/x/y")).isTrue();
    }

    @Test
    void charactersAreComparedExactly() {
        PathGlob glob = PathGlob.compile("/Orders/%20");
        assertThat(glob.matches("/Orders/%20")).isTrue();
        assertThat(glob.matches("/orders/%20")).isFalse();
        assertThat(glob.matches("/Orders/ ")).isFalse();
    }

    @Test
    void nullOrRelativePathsNeverMatch() {
        assertThat(PathGlob.compile("/**").matches(null)).isFalse();
        assertThat(PathGlob.compile("/**").matches("orders")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders/*", "", "*"})
    void globMustStartWithSlash(String glob) {
        assertThatThrownBy(() -> PathGlob.compile(glob))
                .isInstanceOf(FaultSpecException.class)
                .hasMessage("match.path must start with '/', e.g. /orders/**")
                .extracting(e -> ((FaultSpecException) e).field()).isEqualTo("match.path");
    }

    @Test
    void nullGlobIsRefused() {
        assertThatThrownBy(() -> PathGlob.compile(null)).isInstanceOf(FaultSpecException.class);
    }

    @Test
    void doubleStarInsideASegmentIsRefused() {
        assertThatThrownBy(() -> PathGlob.compile("/orders/a**"))
                .hasMessage("match.path may use ** only as a whole segment, as in /orders/**");
    }

    @Test
    void queryStringInGlobIsRefused() {
        assertThatThrownBy(() -> PathGlob.compile("/orders?id=1"))
                .hasMessage("match.path must not contain '?': the query string is not part of the path");
    }

    @Test
    void spacesInGlobAreRefused() {
        assertThatThrownBy(() -> PathGlob.compile("/my orders"))
                .hasMessage("match.path must not contain spaces or control characters");
    }

    @Test
    void overlongGlobIsRefused() {
        assertThatThrownBy(() -> PathGlob.compile("/" + "a".repeat(2048)))
                .hasMessage("match.path must be at most 2048 characters");
    }

    @Test
    void keepsThePatternAsWrittenAndComparesByIt() {
        PathGlob glob = PathGlob.compile("/orders/**");
        assertThat(glob.pattern()).isEqualTo("/orders/**");
        assertThat(glob).hasToString("/orders/**").isEqualTo(PathGlob.compile("/orders/**"))
                .hasSameHashCodeAs(PathGlob.compile("/orders/**"));
    }

    @Test
    void longHostilePathsMatchWithoutCatastrophicBacktracking() {
        // Patterns that make a naive backtracking matcher exponential: many stars, a near miss at the end.
        PathGlob segments = PathGlob.compile("/**/a/**/a/**/a/**/a/**/a/**/b");
        String manySegments = "/a".repeat(50_000) + "/c";
        PathGlob inSegment = PathGlob.compile("/x/*a*a*a*a*a*a*a*a*b*c");
        String longSegment = "/x/" + "a".repeat(200_000);

        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertThat(segments.matches(manySegments)).isFalse();
            assertThat(segments.matches(manySegments + "/b")).isTrue();
            assertThat(inSegment.matches(longSegment + "c")).isFalse();
            assertThat(inSegment.matches(longSegment + "bc")).isTrue();
        });
    }
}
