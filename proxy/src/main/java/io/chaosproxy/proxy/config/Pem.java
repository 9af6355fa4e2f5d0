package io.chaosproxy.proxy.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files with the JDK alone: X.509 certificates, and unencrypted PKCS#8 private keys (RSA
 * or EC). Every complaint is one line that starts with the file, so the caller only has to put the
 * option's name in front.
 */
final class Pem {
    /** A certificate bundle or a key is a few KiB; anything this big is the wrong file. */
    private static final long MAX_FILE_BYTES = 1024 * 1024;
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** Tried in turn: PKCS#8 says which algorithm inside the DER, but the JDK wants it named first. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519");

    private Pem() {}

    /** Every {@code CERTIFICATE} block of the file, in order; at least one. */
    static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JVM has no X.509 support", e);
        }
        Matcher block = BLOCK.matcher(read(file));
        while (block.find()) {
            if (!block.group(1).equals("CERTIFICATE")) {
                continue;
            }
            byte[] der = decode(file, block);
            try {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException | ClassCastException e) {
                throw new IllegalArgumentException(file + ": certificate " + (certificates.size() + 1)
                        + " is not a valid X.509 certificate (" + oneLine(e) + ")");
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(file + ": no certificate in it (expected PEM: -----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(certificates);
    }

    /** The one private key of the file: PKCS#8 ({@code BEGIN PRIVATE KEY}), unencrypted. */
    static PrivateKey privateKey(Path file) {
        Matcher block = BLOCK.matcher(read(file));
        while (block.find()) {
            String type = block.group(1);
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(file, decode(file, block));
                }
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new IllegalArgumentException(file
                        + ": the key is in the older " + (type.startsWith("RSA") ? "PKCS#1" : "SEC1") + " form (BEGIN " + type
                        + "); convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + " -out key.pk8.pem");
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(file
                        + ": the key is encrypted; decrypt it: openssl pkcs8 -in " + file.getFileName() + " -out key.pk8.pem");
                default -> {
                    // certificates and parameters may share the file
                }
            }
        }
        throw new IllegalArgumentException(file + ": no private key in it (expected PEM PKCS#8: -----BEGIN PRIVATE KEY-----)");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm (or not available here): try the next
            }
        }
        throw new IllegalArgumentException(file + ": the PRIVATE KEY block is not a PKCS#8 RSA, EC or Ed25519 key this JVM can read");
    }

    private static String read(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException(file + ": is a directory, not a PEM file");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(file + ": larger than 1 MiB; is it really a PEM file?");
            }
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(file + ": permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read it (" + oneLine(e) + ")");
        }
    }

    private static byte[] decode(Path file, Matcher block) {
        try {
            return Base64.getMimeDecoder().decode(block.group(2).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the " + block.group(1) + " block is not valid base64");
        }
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
