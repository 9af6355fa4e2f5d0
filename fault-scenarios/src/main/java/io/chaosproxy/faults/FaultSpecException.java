package io.chaosproxy.faults;

/**
 * Bad fault or scenario input: the message says what is wrong, {@link #field()} says where.
 *
 * <p>The field is a JSON path such as {@code "delayMs"}, {@code "match.path"},
 * {@code "faults[2].status"} or {@code "phases[1].duration"}; it is {@code null} when the problem
 * is the document as a whole (malformed JSON, not an object). Messages name the field in their
 * own words, so {@code getMessage()} alone is enough for a user.
 */
public sealed class FaultSpecException extends RuntimeException permits NameTakenException {

    private final String field;

    public FaultSpecException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** Where the problem is, as a JSON path; {@code null} for the whole document. */
    public String field() {
        return field;
    }

    /**
     * The same problem seen from an enclosing document: {@code "delayMs must be >= 0"} under
     * {@code "faults[2]"} becomes {@code "faults[2].delayMs must be >= 0"}, field
     * {@code "faults[2].delayMs"}.
     */
    public FaultSpecException under(String parent) {
        if (parent == null || parent.isEmpty()) {
            return this;
        }
        String newField = field == null || field.isEmpty() ? parent : join(parent, field);
        String message = getMessage();
        String lead = leadingPath(message);
        // A message that starts with its own path gets the parent joined on; any other gets it up front.
        String newMessage = lead != null ? join(parent, message) : parent + ": " + message;
        FaultSpecException moved = new FaultSpecException(newField, newMessage);
        moved.setStackTrace(getStackTrace());
        return moved;
    }

    /**
     * The path a message starts with: the field itself ("delayMs must be >= 0") or, once moved,
     * a parent of it ("faults[0]: unknown field ..."); null when the message starts otherwise.
     */
    private String leadingPath(String message) {
        if (field == null || field.isEmpty()) {
            return null;
        }
        if (message.startsWith(field)) {
            return field;
        }
        int colon = message.indexOf(": ");
        if (colon > 0 && field.startsWith(message.substring(0, colon))) {
            return message.substring(0, colon);
        }
        return null;
    }

    private static String join(String parent, String path) {
        return path.startsWith("[") ? parent + path : parent + "." + path;
    }
}
