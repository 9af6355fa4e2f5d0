package io.chaosproxy.proxy.dataplane.transport;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value made the first time it is asked for, once, whichever thread asks first. For the parts of
 * a proxy most tests never use (TLS to backends, h2c, WebSocket sessions): each costs a cold JVM
 * classes and CPU time that the first proxy of a test run would otherwise pay at start.
 */
public final class Lazy<T> implements Supplier<T> {
    private final Supplier<? extends T> make;
    private volatile T value;

    public Lazy(Supplier<? extends T> make) {
        this.make = Objects.requireNonNull(make, "make");
    }

    @Override
    public T get() {
        T made = value;
        if (made == null) {
            synchronized (this) {
                made = value;
                if (made == null) {
                    made = Objects.requireNonNull(make.get(), "a lazy value must not be null");
                    value = made;
                }
            }
        }
        return made;
    }

    /** Whether it has been made (without making it). */
    public boolean isMade() {
        return value != null;
    }
}
