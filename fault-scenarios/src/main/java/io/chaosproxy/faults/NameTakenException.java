package io.chaosproxy.faults;

/** A rule's name is already used by another installed rule (the control API answers 409). */
public final class NameTakenException extends FaultSpecException {

    private final String name;

    public NameTakenException(String name, String message) {
        super("name", message);
        this.name = name;
    }

    /** The name that was asked for twice. */
    public String name() {
        return name;
    }
}
