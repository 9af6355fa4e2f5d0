package io.chaosproxy.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import okhttp3.Request;

class DashboardRoutesTest {
    private static ControlFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = ControlFixture.withToken("s3cret");
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void thePageAndItsFilesAnswerWithoutATokenWhileDataCallsNeedIt() {
        ControlFixture.Reply page = anonymous("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("<title>chaos-proxy dashboard</title>")
                .contains("dashboard/uPlot.iife.min.js").doesNotContain("http://").doesNotContain("https://");

        ControlFixture.Reply chartLibrary = anonymous("/dashboard/uPlot.iife.min.js");
        assertThat(chartLibrary.status()).isEqualTo(200);
        assertThat(chartLibrary.header("Content-Type")).startsWith("text/javascript");
        assertThat(chartLibrary.body()).contains("uPlot");
        assertThat(anonymous("/dashboard/dashboard.js").body()).contains("/faults");
        assertThat(anonymous("/dashboard/dashboard.css").status()).isEqualTo(200);
        assertThat(anonymous("/dashboard/uPlot.min.css").status()).isEqualTo(200);

        assertThat(anonymous("/status").status()).isEqualTo(401);
        assertThat(anonymous("/series").status()).isEqualTo(401);
        assertThat(anonymous("/events").status()).isEqualTo(401);
        assertThat(fixture.get("/series").status()).isEqualTo(200);
    }

    @Test
    void onlyTheDashboardsOwnFilesAreServed() {
        ControlFixture.Reply unknown = anonymous("/dashboard/index.html");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").asText()).contains("dashboard.js");
        assertThat(anonymous("/dashboard/..%2Fcontrol%2FJson.class").status()).isEqualTo(404);
        assertThat(anonymous("/dashboard/").status()).isIn(401, 404);
    }

    private static ControlFixture.Reply anonymous(String path) {
        return fixture.send(new Request.Builder().url(fixture.controlUrl().resolve(path).toString()).build());
    }
}
