package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.config.ListenerTls;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.HexFormat;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The protocols of a proxy listener, as the chain of Jetty connection factories every new
 * connector gets.
 *
 * <ul>
 *   <li>Cleartext: HTTP/1.1 ({@link TargetFormConnectionFactory}) first; a connection that opens
 *       with the HTTP/2 preface ({@code PRI * HTTP/2.0}, "prior knowledge") or asks for
 *       {@code Upgrade: h2c} becomes an HTTP/2 connection.</li>
 *   <li>TLS: TLS only, then ALPN picks h2 or http/1.1 (http/1.1 for a client that offers
 *       neither).</li>
 * </ul>
 * Each connector gets its own factories: a connector stops its factories when it is removed.
 */
final class ListenerProtocols {
    private static final String HTTP_1_1 = "http/1.1";

    private final HttpConfiguration configuration;
    private final Duration headDeadline;
    private final KeyStore keyStore; // null for cleartext
    private final String keyStorePassword;

    ListenerProtocols(HttpConfiguration configuration, Duration headDeadline, ListenerTls tls) {
        this.configuration = configuration;
        this.headDeadline = headDeadline;
        // The key only ever lives in this process's memory; the password just satisfies the KeyStore API.
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.keyStorePassword = HexFormat.of().formatHex(random);
        this.keyStore = tls == null ? null : keyStore(tls, keyStorePassword);
    }

    boolean isTls() {
        return keyStore != null;
    }

    ConnectionFactory[] newConnectionFactories() {
        HttpConnectionFactory http1 = new TargetFormConnectionFactory(configuration, headDeadline);
        if (keyStore == null) {
            return new ConnectionFactory[] {http1, new HTTP2CServerConnectionFactory(configuration)};
        }
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(configuration);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), HTTP_1_1);
        alpn.setDefaultProtocol(HTTP_1_1);
        SslConnectionFactory tls = new SslConnectionFactory(sslContextFactory(), alpn.getProtocol());
        return new ConnectionFactory[] {tls, alpn, h2, http1};
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
