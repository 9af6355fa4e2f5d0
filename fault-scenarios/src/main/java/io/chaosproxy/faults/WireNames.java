package io.chaosproxy.faults;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Looks up enum constants by their JSON spelling, with an error that lists what would have worked. */
final class WireNames {

    private WireNames() {
    }

    static <E extends Enum<E>> E lookup(Class<E> type, Function<E, String> wireName, String field, String text) {
        for (E constant : type.getEnumConstants()) {
            if (wireName.apply(constant).equals(text)) {
                return constant;
            }
        }
        throw new FaultSpecException(field, field + " must be one of " + list(type, wireName)
                + (text == null ? "" : ", got \"" + text + "\""));
    }

    /** Like {@link #lookup(Class, Function, String, String)}, saying which kind of fault the list is for. */
    static <E extends Enum<E>> E lookup(Class<E> type, Function<E, String> wireName, String field, String text,
                                        String kind) {
        try {
            return lookup(type, wireName, field, text);
        } catch (FaultSpecException e) {
            throw new FaultSpecException(field, field + " must be one of " + list(type, wireName) + " for type "
                    + kind + (text == null ? "" : ", got \"" + text + "\""));
        }
    }

    static <E extends Enum<E>> String list(Class<E> type, Function<E, String> wireName) {
        return Arrays.stream(type.getEnumConstants()).map(wireName).collect(Collectors.joining(", "));
    }
}
