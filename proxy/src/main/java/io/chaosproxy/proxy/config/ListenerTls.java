package io.chaosproxy.proxy.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The certificate chain and private key a proxy listener presents, so that clients which only
 * speak HTTPS can use it. Read from PEM files: the chain (leaf first, intermediates after) and an
 * unencrypted PKCS#8 key, RSA or EC, that must belong to the leaf.
 *
 * @param certFile where the chain came from
 * @param keyFile  where the key came from
 * @param chain    leaf first
 * @param key      the leaf's private key
 */
public record ListenerTls(Path certFile, Path keyFile, List<X509Certificate> chain, PrivateKey key) {

    public ListenerTls {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(certFile + ": no certificate in it");
        }
    }

    /** Reads both files; a bad one fails with {@code "<certName>: <file>: <reason>"} (or keyName). */
    public static ListenerTls load(Path certFile, Path keyFile, String certName, String keyName) {
        List<X509Certificate> chain;
        try {
            chain = Pem.certificates(certFile);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(certName + ": " + e.getMessage(), e);
        }
        PrivateKey key;
        try {
            key = Pem.privateKey(keyFile);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(keyName + ": " + e.getMessage(), e);
        }
        if (!belongTogether(key, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException(keyName + ": " + keyFile + ": this key does not belong to the certificate in "
                    + certFile + " (the first certificate there must be the listener's own)");
        }
        return new ListenerTls(certFile, keyFile, chain, key);
    }

    /** A signature made with the key verifies with the certificate's public key: the pair matches, whatever the algorithm. */
    private static boolean belongTogether(PrivateKey key, PublicKey certified) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null || !key.getAlgorithm().equals(certified.getAlgorithm())) {
            return false;
        }
        byte[] probe = "chaos-proxy key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
