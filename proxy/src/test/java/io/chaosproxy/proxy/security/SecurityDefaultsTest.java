package io.chaosproxy.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.cli.Main;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.reliability.support.ControlClient;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What holds without anyone configuring it: every listener on loopback, no control API at all
 * unless asked for in Java, the control token kept only as a digest and compared in constant time,
 * and tokens of every wrong length refused.
 */
class SecurityDefaultsTest {
    private static final String TOKEN = "0123456789abcdef-token";

    @Test
    void theCommandLineListensOnLoopbackByDefault() {
        CommandSpec spec = Main.commandLine().getCommandSpec();
        HostPort control = HostPort.parse(spec.findOption("--control").defaultValue());
        HostPort listen = HostPort.parse(spec.findOption("--listen").defaultValue());
        assertThat(control.isLoopback()).as("--control default " + control).isTrue();
        assertThat(listen.isLoopback()).as("--listen default " + listen).isTrue();
        assertThat(spec.findOption("--control-token").defaultValue()).isNull();
    }

    @Test
    void theEmbeddedServerHasNoControlApiUnlessAskedAndListensOnLoopback() throws Exception {
        try (ChaosProxyServer server = ChaosProxyServer.builder().build().start()) {
            assertThat(server.controlUrl()).as("no control listener by default").isNull();
            assertThat(server.proxies()).allSatisfy(proxy -> assertThat(proxy.listen().isLoopback()).isTrue());
        }
    }

    /**
     * The token is not kept, only its SHA-256; and the only comparison BearerAuth makes of byte
     * arrays is MessageDigest.isEqual, which takes the same time wherever two digests differ.
     * Hashing first also hides the token's length, since every digest is 32 bytes.
     */
    @Test
    void theTokenIsKeptAsADigestAndComparedInConstantTime() throws Exception {
        Class<?> bearerAuth = Class.forName("io.chaosproxy.proxy.control.BearerAuth");
        for (Field field : bearerAuth.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                assertThat(field.getType()).as("instance field " + field.getName()).isEqualTo(byte[].class);
            }
        }
        Set<String> calls = methodReferences(bearerAuth);
        assertThat(calls).contains("java/security/MessageDigest.isEqual([B[B)Z");
        assertThat(calls).doesNotContain("java/util/Arrays.equals([B[B)Z", "java/lang/String.contentEquals(Ljava/lang/CharSequence;)Z",
                "java/lang/String.compareTo(Ljava/lang/String;)I", "java/lang/String.equalsIgnoreCase(Ljava/lang/String;)Z");
    }

    @Test
    void tokensOfEveryWrongLengthAndContentAreRefused() throws Exception {
        try (ChaosProxyServer server = ChaosProxyServer.builder().control("127.0.0.1:0").controlToken(TOKEN).build().start()) {
            assertThat(new ControlClient(server.controlUrl(), TOKEN).get("/status").status()).isEqualTo(200);
            List<String> wrong = new ArrayList<>();
            for (int length = 1; length <= TOKEN.length() * 2 + 5; length++) {
                wrong.add(length <= TOKEN.length() ? TOKEN.substring(0, length) : TOKEN + "x".repeat(length - TOKEN.length()));
                wrong.add("z".repeat(length));
            }
            wrong.remove(TOKEN);
            for (int i = 0; i < TOKEN.length(); i++) {
                char[] chars = TOKEN.toCharArray();
                chars[i] = chars[i] == 'q' ? 'r' : 'q'; // same length, one character off, at every position
                wrong.add(new String(chars));
            }
            wrong.add(TOKEN.toUpperCase());
            wrong.add(new StringBuilder(TOKEN).reverse().toString());
            for (String token : wrong) {
                ControlClient.Reply reply = new ControlClient(server.controlUrl(), token).get("/status");
                assertThat(reply.status()).as("token of length %d: %s", token.length(), token).isEqualTo(401);
                assertThat(reply.body()).doesNotContain(TOKEN);
            }
            assertThat(new ControlClient(server.controlUrl(), null).get("/health").status()).as("health needs no token").isEqualTo(200);
        }
    }


    /** The methods a class calls, as owner.name(descriptor), read from its constant pool. */
    private static Set<String> methodReferences(Class<?> type) throws IOException {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream raw = type.getResourceAsStream(resource); DataInputStream in = new DataInputStream(raw)) {
            in.readInt();    // magic
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            Object[] pool = new Object[count];
            int[][] refs = new int[count][];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> pool[i] = in.readUTF();
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> refs[i] = new int[] {tag, in.readUnsignedShort()};
                    case 9, 10, 11, 12, 17, 18 -> refs[i] = new int[] {tag, in.readUnsignedShort(), in.readUnsignedShort()};
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IOException("unknown constant pool tag " + tag);
                }
            }
            Set<String> methods = new HashSet<>();
            for (int[] ref : refs) {
                if (ref != null && (ref[0] == 10 || ref[0] == 11)) {
                    String owner = (String) pool[refs[ref[1]][1]];
                    int[] nameAndType = refs[ref[2]];
                    methods.add(owner + "." + pool[nameAndType[1]] + pool[nameAndType[2]]);
                }
            }
            return methods;
        }
    }
}
