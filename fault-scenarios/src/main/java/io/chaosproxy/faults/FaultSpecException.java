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
        String newField = field == null || field.isEmpty() ? parent : parent + "." + field;
        String message = getMessage();
        String newMessage;
        if (field != null && !field.isEmpty() && message.startsWith(field)) {
            newMessage = newField + message.substring(field.length());
        } else {
            // Messages that don't start with their field ("unknown field ...") get the parent up front.
            newMessage = parent + ": " + message;
        }
        FaultSpecException moved = new FaultSpecException(newField, newMessage);
        moved.setStackTrace(getStackTrace());
        return moved;
    }
}
