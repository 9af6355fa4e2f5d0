package io.chaosproxy.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```java} block of the READMEs is real code: each must appear, line for line, in a
 * source file under {@code src/test/java/io/chaosproxy/junit/readme/}, which the build compiles.
 * Lines are compared without their indentation and blank lines are skipped, so a snippet may sit
 * inside a class or a method there. To add a snippet to a README, put the same lines into a file of
 * that package (a new one, or the one of its section) so that they compile.
 */
class ReadmeSnippetsTest {

    /** The READMEs whose Java blocks are checked, relative to the repository root. */
    static final List<String> READMES = List.of("README.md", "junit-extension/README.md");
    static final Path DOC_SOURCES = Path.of("src/test/java/io/chaosproxy/junit/readme");

    /** A {@code ```java} block: the README, the line it starts on, its lines. */
    record Snippet(String readme, int line, List<String> lines) {
        @Override
        public String toString() {
            return readme + " line " + line;
        }
    }

    @Test
    void everyJavaBlockOfTheReadmesIsCompiledFromTheDocSources() throws IOException {
        List<List<String>> sources = docSources();
        List<Snippet> snippets = new ArrayList<>();
        for (String readme : READMES) {
            snippets.addAll(javaBlocks(readme, Files.readAllLines(repositoryRoot().resolve(readme))));
        }
        assertThat(snippets).as("java blocks found in " + READMES).hasSizeGreaterThan(3);

        List<String> missing = snippets.stream()
                .filter(snippet -> sources.stream().noneMatch(source -> contains(source, normalized(snippet.lines()))))
                .map(snippet -> snippet + ":\n" + String.join("\n", snippet.lines()))
                .toList();
        assertThat(missing)
                .as("java blocks of a README that no file under junit-extension/" + DOC_SOURCES
                        + " holds (line for line, indentation aside): copy each into one there, so the build compiles it")
                .isEmpty();
    }

    @Test
    void aBlockIsFoundOnlyWhenAllItsLinesAreThereInOrder() {
        List<String> source = normalized(List.of("class A {", "    void f() {", "        g();", "", "        h();", "    }", "}"));
        assertThat(contains(source, normalized(List.of("g();", "h();")))).isTrue();
        assertThat(contains(source, normalized(List.of("h();", "g();")))).isFalse();
        assertThat(contains(source, normalized(List.of("g();", "x();")))).isFalse();
    }

    static List<Snippet> javaBlocks(String readme, List<String> lines) {
        List<Snippet> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("```java")) {
                int start = i + 1;
                int end = start;
                while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                    end++;
                }
                blocks.add(new Snippet(readme, i + 1, List.copyOf(lines.subList(start, end))));
                i = end;
            }
        }
        return blocks;
    }

    private static List<List<String>> docSources() throws IOException {
        try (Stream<Path> files = Files.walk(DOC_SOURCES)) {
            return files.filter(file -> file.toString().endsWith(".java")).map(file -> {
                try {
                    return normalized(Files.readAllLines(file));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    static List<String> normalized(List<String> lines) {
        return lines.stream().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    static boolean contains(List<String> source, List<String> block) {
        return !block.isEmpty() && java.util.Collections.indexOfSubList(source, block) >= 0;
    }

    /** Tests run in the module's directory; the READMEs' paths are from the repository root. */
    private static Path repositoryRoot() {
        return Path.of("").toAbsolutePath().getParent();
    }
}
