package io.chaosproxy.proxy.protocols;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/** Certificates made for one test: a private CA, servers it signs, and their PEM files on disk. */
public final class TestCertificates {
    private TestCertificates() {}

    /** A CA that signs server certificates (and is in no JVM trust store). */
    public static HeldCertificate ca(String name) {
        return new HeldCertificate.Builder().commonName(name).certificateAuthority(0).build();
    }

    /** A server certificate for localhost and 127.0.0.1, EC or RSA, signed by {@code issuer} (self-signed when null). */
    public static HeldCertificate server(HeldCertificate issuer, boolean rsa, String... hostNames) {
        HeldCertificate.Builder builder = new HeldCertificate.Builder().commonName("chaos-proxy test server");
        for (String host : hostNames.length == 0 ? new String[] {"localhost", "127.0.0.1"} : hostNames) {
            builder.addSubjectAlternativeName(host);
        }
        if (rsa) {
            builder.rsa2048();
        }
        if (issuer != null) {
            builder.signedBy(issuer);
        }
        return builder.build();
    }

    /** What a server presents: its certificate, then the issuer's. */
    public static HandshakeCertificates serving(HeldCertificate server, HeldCertificate issuer) {
        HandshakeCertificates.Builder builder = new HandshakeCertificates.Builder();
        if (issuer == null) {
            builder.heldCertificate(server);
        } else {
            builder.heldCertificate(server, issuer.certificate());
        }
        return builder.build();
    }

    /** An OkHttp client builder that trusts exactly {@code trusted} (a CA or a self-signed certificate). */
    public static OkHttpClient.Builder clientTrusting(HeldCertificate trusted) {
        HandshakeCertificates trust = new HandshakeCertificates.Builder().addTrustedCertificate(trusted.certificate()).build();
        return new OkHttpClient.Builder().sslSocketFactory(trust.sslSocketFactory(), trust.trustManager());
    }

    public static Path certificatePem(Path dir, String name, HeldCertificate... chain) {
        StringBuilder pem = new StringBuilder();
        for (HeldCertificate certificate : chain) {
            pem.append(certificate.certificatePem());
        }
        return write(dir.resolve(name), pem.toString());
    }

    public static Path keyPem(Path dir, String name, HeldCertificate owner) {
        return write(dir.resolve(name), owner.privateKeyPkcs8Pem());
    }

    public static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
