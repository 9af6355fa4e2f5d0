package io.chaosproxy.proxy.config;

/**
 * A {@code --config} file that cannot be used. The message names the file, the place and the
 * reason, e.g. {@code chaos.yaml: resilience.maxAttempts must be 1-10, got 0}; {@link #field()}
 * is the place alone ({@code resilience.maxAttempts}), or null for the file as a whole.
 */
public final class ConfigException extends RuntimeException {
    private final String file;
    private final String field;

    public ConfigException(String file, String field, String reason) {
        super(file + ": " + reason);
        this.file = file;
        this.field = field;
    }

    public ConfigException(String file, String field, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
        this.field = field;
    }

    /** The file as it was given. */
    public String file() {
        return file;
    }

    /** Where in the file, as a path such as {@code faults[1].status}; null for the whole file. */
    public String field() {
        return field;
    }
}
