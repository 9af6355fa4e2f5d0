package io.chaosproxy.proxy.dataplane.transport;

import io.chaosproxy.proxy.config.UpstreamTls;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/**
 * Applies an {@link UpstreamTls} to the OkHttp client of the upstream leg. The default leaves
 * OkHttp alone: the JVM's trust store, host names verified, h2 offered through ALPN.
 */
public final class UpstreamTrust {
    private UpstreamTrust() {}

    static OkHttpClient.Builder apply(UpstreamTls tls, OkHttpClient.Builder builder) {
        if (tls.insecure()) {
            X509TrustManager everything = new TrustEverything();
            return builder.sslSocketFactory(context(everything).getSocketFactory(), everything)
                    .hostnameVerifier((host, session) -> true);
        }
        if (tls.extraCas().isEmpty()) {
            return builder;
        }
        X509TrustManager trust = jvmTrustPlus(tls.extraCas());
        return builder.sslSocketFactory(context(trust).getSocketFactory(), trust);
    }

    /** The JVM's trust anchors and the extra ones together, checked by the JVM's own PKIX validator. */
    private static X509TrustManager jvmTrustPlus(List<X509Certificate> extra) {
        try {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            int n = 0;
            for (X509Certificate jvmTrusted : trustManager(null).getAcceptedIssuers()) {
                anchors.setCertificateEntry("jvm-" + n++, jvmTrusted);
            }
            for (X509Certificate ca : extra) {
                anchors.setCertificateEntry("upstream-ca-" + n++, ca);
            }
            return trustManager(anchors);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build the upstream trust store: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager trustManager(KeyStore anchors) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new IllegalStateException("this JVM offers no X.509 trust manager");
    }

    private static SSLContext context(X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS to backends: " + e.getMessage(), e);
        }
    }

    /** {@code --upstream-insecure}: every chain is accepted. For self-signed test backends only. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // the proxy never asks backends' clients for certificates
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // deliberately nothing: the user asked for no verification
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
