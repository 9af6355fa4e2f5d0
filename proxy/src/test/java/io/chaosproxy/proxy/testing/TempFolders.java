package io.chaosproxy.proxy.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing the temp folders that test servers make outside JUnit's {@code @TempDir}. */
final class TempFolders {
    private TempFolders() {}

    /**
     * Deletes the folder and everything in it, deepest first; a folder already gone, or a file that
     * will not go, is left as it is: a leftover temp file is never a reason to fail or hide a test's outcome.
     */
    static void deleteQuietly(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // already gone, or unreadable: nothing more to do
        }
    }
}
