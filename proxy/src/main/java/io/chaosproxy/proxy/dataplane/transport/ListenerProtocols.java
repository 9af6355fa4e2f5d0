package io.chaosproxy.proxy.dataplane.transport;

import io.chaosproxy.proxy.config.ListenerTls;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.api.server.ServerSessionListener;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The protocols of a proxy listener, as the chain of Jetty connection factories every new
 * connector gets.
 *
 * <ul>
 *   <li>Cleartext: HTTP/1.1 ({@link TargetFormConnectionFactory}) first; a connection that opens
 *       with the HTTP/2 preface ({@code PRI * HTTP/2.0}, "prior knowledge") becomes an HTTP/2
 *       connection ({@link PriorKnowledgeOnly}).</li>
 *   <li>TLS: TLS only, then ALPN picks h2 or http/1.1 (http/1.1 for a client that offers
 *       neither).</li>
 * </ul>
 * Each connector gets its own factories: a connector stops its factories when it is removed.
 */
public final class ListenerProtocols {
    private static final String HTTP_1_1 = "http/1.1";
    /**
     * Streams one HTTP/2 connection may have open at once. Jetty's 128 is meant for a web server;
     * behind a proxy one client connection often carries a whole service's calls, and the JDK 17
     * HttpClient fails a request outright ("too many concurrent streams") instead of opening a
     * second connection when it would exceed the limit.
     */
    static final int MAX_CONCURRENT_STREAMS = 1024;

    private final HttpConfiguration configuration;
    private final Duration headDeadline;
    private final KeyStore keyStore; // null for cleartext
    private final String keyStorePassword;

    public ListenerProtocols(HttpConfiguration configuration, Duration headDeadline, ListenerTls tls) {
        this.configuration = configuration;
        this.headDeadline = headDeadline;
        // The key only ever lives in this process's memory; the password just satisfies the KeyStore
        // API. None for cleartext: a SecureRandom loads the JVM's security providers, a good share
        // of a cold test JVM's first proxy.
        this.keyStorePassword = tls == null ? null : randomPassword();
        this.keyStore = tls == null ? null : keyStore(tls, keyStorePassword);
    }

    private static String randomPassword() {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    public boolean isTls() {
        return keyStore != null;
    }

    public ConnectionFactory[] newConnectionFactories() {
        HttpConnectionFactory http1 = new TargetFormConnectionFactory(configuration, headDeadline);
        if (keyStore == null) {
            HTTP2CServerConnectionFactory h2c = new PriorKnowledgeOnly(configuration);
            h2c.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
            return new ConnectionFactory[] {http1, h2c};
        }
        HTTP2ServerConnectionFactory h2 = new OverTls(configuration);
        h2.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), HTTP_1_1);
        alpn.setDefaultProtocol(HTTP_1_1);
        SslConnectionFactory tls = new SslConnectionFactory(sslContextFactory(), alpn.getProtocol());
        return new ConnectionFactory[] {tls, alpn, h2, http1};
    }

    /**
     * Cleartext HTTP/2 by prior knowledge only. The HTTP/1.1 {@code Upgrade: h2c} handshake
     * (deprecated by RFC 9113) is declined and the request is answered over HTTP/1.1: the JDK's
     * HttpClient asks for it on every first request to an http:// URL, and would otherwise move
     * every such user to HTTP/2 without their asking.
     */
    static final class PriorKnowledgeOnly extends HTTP2CServerConnectionFactory {
        PriorKnowledgeOnly(HttpConfiguration configuration) {
            super(configuration);
        }

        @Override
        public Connection upgradeConnection(Connector connector, EndPoint endPoint, MetaData.Request request,
                                            HttpFields.Mutable responseFields) {
            if (!HttpMethod.PRI.is(request.getMethod())) {
                return null; // no upgrade: Jetty goes on with the request over HTTP/1.1
            }
            return super.upgradeConnection(connector, endPoint, request, responseFields);
        }

        @Override
        protected ServerSessionListener newSessionListener(Connector connector, EndPoint endPoint) {
            return new OverTls.QuietStreamsListener(this, endPoint);
        }
    }

    /** HTTP/2 over TLS (h2, chosen by ALPN). */
    static final class OverTls extends HTTP2ServerConnectionFactory {
        OverTls(HttpConfiguration configuration) {
            super(configuration);
        }

        @Override
        protected ServerSessionListener newSessionListener(Connector connector, EndPoint endPoint) {
            return new QuietStreamsListener(this, endPoint);
        }

        /**
         * Jetty's session listener of {@code factory}, with a stream's idle timeouts passed through
         * {@link QuietStreams}. Declared here because Jetty's listener class is visible to its
         * factory's subclasses only; {@link PriorKnowledgeOnly} uses it too.
         */
        static final class QuietStreamsListener extends HTTPServerSessionListener {
            QuietStreamsListener(HTTP2ServerConnectionFactory factory, EndPoint endPoint) {
                factory.super(endPoint);
            }

            @Override
            public void onIdleTimeout(Stream stream, TimeoutException timeout, Promise<Boolean> promise) {
                QuietStreams.onIdleTimeout(stream, promise, () -> super.onIdleTimeout(stream, timeout, promise));
            }
        }
    }

    private SslContextFactory.Server sslContextFactory() {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStore(keyStore);
        factory.setKeyStorePassword(keyStorePassword);
        factory.setKeyManagerPassword(keyStorePassword);
        // RFC 9113 section 9.2.2: h2 needs an AEAD cipher; put those first so ALPN can choose h2.
        factory.setCipherComparator(HTTP2Cipher.COMPARATOR);
        factory.setUseCipherSuitesOrder(true);
        return factory;
    }

    private static KeyStore keyStore(ListenerTls tls, String password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("chaos-proxy", tls.key(), password.toCharArray(), tls.chain().toArray(new Certificate[0]));
            return store;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("cannot use the listener certificate " + tls.certFile() + " with key "
                    + tls.keyFile() + ": " + e.getMessage(), e);
        }
    }
}
