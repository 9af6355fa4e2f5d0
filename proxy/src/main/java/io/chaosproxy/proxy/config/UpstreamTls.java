package io.chaosproxy.proxy.config;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * How the proxy checks the certificates of {@code https://} backends: against the JVM's trust
 * store (the default), against that store plus the CA certificates of a PEM file, or, for
 * self-signed test backends only, not at all.
 *
 * <p>A CA file adds to the JVM's trust rather than replacing it, so one proxy can front a private
 * backend and a public one at once.
 *
 * @param caFile     the PEM file the extra CAs came from; null when none
 * @param extraCas   trusted in addition to the JVM's trust store; empty when none
 * @param insecure   trust every certificate and host name: never for anything but a test backend
 */
public record UpstreamTls(Path caFile, List<X509Certificate> extraCas, boolean insecure) {

    /** The JVM's trust store, host names checked: what a careful HTTP client does. */
    public static final UpstreamTls DEFAULT = new UpstreamTls(null, List.of(), false);

    public UpstreamTls {
        extraCas = List.copyOf(extraCas);
        if (insecure && caFile != null) {
            throw new IllegalArgumentException("--upstream-insecure (upstreamTls.insecure) and --upstream-ca (upstreamTls.ca "
                    + caFile + ") contradict each other: insecure trusts every certificate; give one of them");
        }
    }

    /** The JVM's trust store plus every certificate of {@code pemFile}; fails naming the file when it holds none. */
    public static UpstreamTls trusting(Path pemFile) {
        return new UpstreamTls(pemFile, Pem.certificates(pemFile), false);
    }

    /** No certificate or host name check at all. */
    public static UpstreamTls trustingEverything() {
        return new UpstreamTls(null, List.of(), true);
    }

    /** One line for the start-up warning and for {@code GET /status}. */
    public String describe() {
        if (insecure) {
            return "INSECURE: certificates and host names of https backends are not checked";
        }
        return caFile == null ? "JVM trust store" : "JVM trust store + " + extraCas.size() + " CA certificate(s) from " + caFile;
    }
}
