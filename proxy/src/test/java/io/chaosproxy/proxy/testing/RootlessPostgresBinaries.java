package io.chaosproxy.proxy.testing;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * Zonky's PostgreSQL binaries, re-packed so they start as root too. {@code initdb}, {@code pg_ctl}
 * and {@code postgres} refuse to run as uid 0, and builds in containers and CI often are root. In the
 * re-packed archive each of the three is a small sh script that runs the real binary, renamed
 * {@code NAME.real} in the same {@code bin/} (so it still finds {@code share/} and {@code lib/}), inside
 * a new user namespace when the uid is 0: there root is unmapped, so it is 65534, the root-owned data
 * directory shows as 65534 too, and PostgreSQL's checks pass. As any other user the script runs the
 * binary directly, as do the scripts called from inside the namespace ({@code pg_ctl} and
 * {@code initdb} run {@code postgres} from their own directory, {@code -V} first to check its version).
 *
 * <p>Zonky extracts an archive once per content hash (under {@code java.io.tmpdir/embedded-pg}), so the
 * re-pack is deterministic: entries in their order with their own headers, the scripts with the times
 * of the binaries they stand for. It is kept there too, named by the original's hash, so only the first
 * build on a machine pays for it. One instance, so zonky prepares the binaries once per JVM.
 */
public final class RootlessPostgresBinaries implements PgBinaryResolver {
    public static final RootlessPostgresBinaries INSTANCE = new RootlessPostgresBinaries();

    /** The programs that check for root; any other program in {@code bin/} is left as it is. */
    private static final Set<String> WRAPPED = Set.of("bin/initdb", "bin/pg_ctl", "bin/postgres");

    private static final String SCRIPT = """
            #!/bin/sh
            # PostgreSQL will not run as root: as root, run it in a user namespace of its own
            # (where root is unmapped, uid 65534); as anyone else, or already inside one, directly.
            if [ "$(id -u)" = 0 ]; then exec unshare -U "$0.real" "$@"; fi
            exec "$0.real" "$@"
            """;

    /** Part of the cache key: change it when {@link #repack} changes what it writes. */
    private static final String REPACK_VERSION = "1";

    private RootlessPostgresBinaries() {
    }

    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
        InputStream zonkys = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware);
        if (!"Linux".equals(system)) {
            return zonkys; // user namespaces are Linux's; elsewhere a build is rarely root
        }
        byte[] original;
        try (zonkys) {
            original = zonkys.readAllBytes();
        }
        Path cached = cacheDirectory().resolve("rootless-" + key(original) + ".txz");
        try {
            return new ByteArrayInputStream(Files.readAllBytes(cached));
        } catch (NoSuchFileException | AccessDeniedException notYet) {
            byte[] repacked = repack(new ByteArrayInputStream(original));
            keep(repacked, cached);
            return new ByteArrayInputStream(repacked);
        }
    }

    /** Best effort: where this user may not write (another user's directory), each build re-packs, nothing worse. */
    private static void keep(byte[] repacked, Path cached) {
        Path part = null;
        try {
            Files.createDirectories(cached.getParent());
            part = Files.createTempFile(cached.getParent(), "rootless-", ".part",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            Files.write(part, repacked);
            Files.move(part, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING); // same bytes if two builds race
        } catch (IOException e) {
            try {
                if (part != null) {
                    Files.deleteIfExists(part);
                }
            } catch (IOException ignored) {
                // a stray .part file in a temp directory
            }
        }
    }

    /**
     * Next to zonky's extractions: unpacking the original is most of a re-pack's cost (3 to 10 s on a
     * loaded 2-core machine), so later builds take the re-packed archive from here.
     */
    private static Path cacheDirectory() {
        return Path.of(System.getProperty("ot.epg.working-dir", Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg").toString()));
    }

    /** The original archive, the script and {@link #REPACK_VERSION}: a change to any is a new re-pack. */
    private static String key(byte[] original) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(original);
            sha256.update(SCRIPT.getBytes(StandardCharsets.US_ASCII));
            sha256.update(REPACK_VERSION.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha256.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The .txz from {@code original} with the {@link #WRAPPED} programs behind the namespace script. */
    private static byte[] repack(InputStream original) throws IOException {
        ByteArrayOutputStream repacked = new ByteArrayOutputStream(64 << 20);
        Set<String> wrapped = new HashSet<>();
        byte[] script = SCRIPT.getBytes(StandardCharsets.US_ASCII);
        try (TarArchiveInputStream in = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(original, 1 << 16)));
             TarArchiveOutputStream out = new TarArchiveOutputStream(new XZOutputStream(repacked, stored()))) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                String name = entry.getName();
                boolean wrap = WRAPPED.contains(name) && entry.isFile();
                if (wrap) {
                    entry.setName(name + ".real");
                }
                out.putArchiveEntry(entry);
                in.transferTo(out);
                out.closeArchiveEntry();
                if (wrap) {
                    TarArchiveEntry wrapper = new TarArchiveEntry(name);
                    wrapper.setMode(0755);
                    wrapper.setSize(script.length);
                    wrapper.setModTime(entry.getLastModifiedTime());
                    wrapper.setUserName(entry.getUserName()); // not the name of whoever runs the build
                    wrapper.setGroupName(entry.getGroupName());
                    out.putArchiveEntry(wrapper);
                    out.write(script);
                    out.closeArchiveEntry();
                    wrapped.add(name);
                }
            }
        }
        if (!wrapped.equals(WRAPPED)) {
            throw new IOException("zonky's PostgreSQL archive lacks " + WRAPPED.stream().filter(name -> !wrapped.contains(name)).toList()
                    + ": the layout changed, so the root wrappers cannot be placed");
        }
        return repacked.toByteArray();
    }

    /**
     * Stored, not compressed: the archive stays on the local disk, and even XZ's fastest preset costs
     * seconds of CPU (measured: 5 s for the 57 MB tar on a loaded 2-core machine, against 1 s stored).
     */
    private static LZMA2Options stored() throws UnsupportedOptionsException {
        LZMA2Options options = new LZMA2Options();
        options.setMode(LZMA2Options.MODE_UNCOMPRESSED);
        return options;
    }
}
