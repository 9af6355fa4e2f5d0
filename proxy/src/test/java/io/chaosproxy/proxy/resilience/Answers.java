package io.chaosproxy.proxy.resilience;

import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;

/** The backend behaviours the resilience tests need, by name. */
final class Answers {
    private Answers() {}

    static MockResponse ok(String body) {
        return new MockResponse.Builder().code(200).body(body).build();
    }

    static MockResponse status(int code, String body) {
        return new MockResponse.Builder().code(code).body(body).build();
    }

    /** The backend reads the whole request, then cuts the connection without a response byte. */
    static MockResponse resetBeforeTheResponse() {
        return new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build();
    }

    /** The backend reads the request and never answers. */
    static MockResponse neverAnswers() {
        return new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build();
    }
}
