package io.chaosproxy.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.control.ControlFixture.Reply;
import okhttp3.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenTest {
    private static final String TOKEN = "s3cret-token";
    private ControlFixture fixture;

    @BeforeAll
    void start() throws Exception {
        fixture = ControlFixture.withToken(TOKEN);
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @Test
    void rightTokenIsLetThrough() {
        assertThat(fixture.get("/status").status()).isEqualTo(200);
    }

    @Test
    void missingTokenIs401WithAChallenge() {
        Reply reply = call("/status", null);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(reply.json().get("error").asText()).contains("Bearer");
    }

    @Test
    void wrongTokenIs401() {
        assertThat(call("/faults", "Bearer nope").status()).isEqualTo(401);
        assertThat(call("/faults", "Bearer " + TOKEN + "x").status()).isEqualTo(401);
        assertThat(call("/faults", "Basic " + TOKEN).status()).isEqualTo(401);
        assertThat(call("/faults", "Bearer").status()).isEqualTo(401);
    }

    @Test
    void schemeIsCaseInsensitive() {
        assertThat(call("/faults", "bearer " + TOKEN).status()).isEqualTo(200);
    }

    @Test
    void healthNeedsNoToken() {
        assertThat(call("/health", null).status()).isEqualTo(200);
    }

    @Test
    void unknownPathsAndWritesNeedTheTokenToo() {
        assertThat(call("/nothing", null).status()).isEqualTo(401);
        Reply post = fixture.send(new Request.Builder().url(fixture.controlUrl().resolve("/faults").toString())
                .post(okhttp3.RequestBody.create("{\"type\":\"error\"}", ControlFixture.JSON)).build());
        assertThat(post.status()).isEqualTo(401);
        assertThat(fixture.server.faults().rules()).isEmpty();
    }

    private Reply call(String path, String authorization) {
        Request.Builder request = new Request.Builder().url(fixture.controlUrl().resolve(path).toString());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return fixture.send(request.build());
    }
}
