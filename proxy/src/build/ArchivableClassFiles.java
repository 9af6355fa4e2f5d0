import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * A build step of the standalone jar: {@code java -cp asm.jar ArchivableClassFiles.java JAR}
 * rewrites, in place, every class file in JAR older than Java 6 (picocli's, mostly) as a Java 8
 * one with stack map frames. Nothing else in the class changes.
 *
 * <p>Why: the JVM's class-data archive (CDS on Java 17, the AOT cache on Java 25) refuses classes
 * older than Java 6, and the JVM checks them with its slow old verifier. Picocli's classes (228 in
 * the jar, about 150 loaded at start) were then read from the jar and verified on every start,
 * before the first option was parsed: 60-130 ms of the launcher's start.
 *
 * <p>Every rewritten class is then linked (so verified) in a fresh class loader: a frame that ASM
 * got wrong fails the build here, not a user's start.
 */
public final class ArchivableClassFiles {
    private static final int JAVA_6 = Opcodes.V1_6 & 0xFFFF;

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ArchivableClassFiles JAR");
        }
        Path jar = Path.of(args[0]);
        Path rewritten = jar.resolveSibling(jar.getFileName() + ".rewriting");
        List<String> classes = rewrite(jar, rewritten);
        if (classes.isEmpty()) {
            Files.delete(rewritten);
            System.out.printf("ArchivableClassFiles: WARNING: no class file older than Java 6 in %s; this build step can go%n", jar);
            return;
        }
        verify(rewritten, classes);
        Files.move(rewritten, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("ArchivableClassFiles: %d class files older than Java 6 rewritten as Java 8 in %s%n",
                classes.size(), jar);
    }

    /** Copies {@code jar} to {@code out}, old class files rewritten; returns their class names. */
    private static List<String> rewrite(Path jar, Path out) throws IOException {
        List<String> rewritten = new ArrayList<>();
        try (URLClassLoader types = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
                ZipFile in = new ZipFile(jar.toFile());
                OutputStream file = Files.newOutputStream(out);
                ZipOutputStream zip = new ZipOutputStream(file)) {
            for (ZipEntry entry : Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(entry).readAllBytes();
                // META-INF/versions/N/ holds classes for later JVMs only: none is older than Java 6
                if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")
                        && majorVersion(bytes) < JAVA_6) {
                    bytes = asJava8(bytes, types);
                    rewritten.add(entry.getName().replace('/', '.').substring(0, entry.getName().length() - ".class".length()));
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                zip.putNextEntry(copy);
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return rewritten;
    }

    private static int majorVersion(byte[] classFile) {
        return ((classFile[6] & 0xFF) << 8) | (classFile[7] & 0xFF);
    }

    /** The same class as a Java 8 class file; frames are computed from {@code types}' classes. */
    private static byte[] asJava8(byte[] classFile, ClassLoader types) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() {
                return types;
            }
        };
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }

    /**
     * Loads and links each class: linking runs the verifier over its new frames. Every class must
     * link: one that cannot (a type missing from the jar) would go unchecked.
     */
    private static void verify(Path jar, List<String> classes) throws IOException {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            for (String name : classes) {
                try {
                    // HotSpot links a class before it lists its methods
                    Class.forName(name, false, loader).getDeclaredMethods();
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new IllegalStateException(name + " cannot be linked after the rewrite: " + e, e);
                }
            }
        }
    }
}
