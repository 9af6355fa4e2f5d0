package io.chaosproxy.faults;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validations shared by the records, the builder and the parsers, so every route into the model
 * rejects bad input with the same words.
 */
final class Check {

    /** Rule and scenario names: safe in URLs, logs and metric labels. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private Check() {
    }

    static long atLeast(String field, long value, long min) {
        if (value < min) {
            throw new FaultSpecException(field, field + " must be >= " + min);
        }
        return value;
    }

    static long positive(String field, long value) {
        if (value <= 0) {
            throw new FaultSpecException(field, field + " must be > 0");
        }
        return value;
    }

    /** {@code what} says the cap in human terms, e.g. "1 hour"; may be null. */
    static long atMost(String field, long value, long max, String what) {
        if (value > max) {
            String suffix = what == null ? "" : " (" + what + ")";
            throw new FaultSpecException(field, field + " must be <= " + max + suffix);
        }
        return value;
    }

    static String name(String field, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new FaultSpecException(field,
                    field + " must be 1-100 characters of letters, digits, '.', '_' or '-'");
        }
        return value;
    }

    static boolean isValidName(String value) {
        return value != null && NAME.matcher(value).matches();
    }

    static String nonEmpty(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new FaultSpecException(field, field + " must be a non-empty string");
        }
        return value;
    }

    /** RFC 9110 token: what HTTP allows in a method or a header name. */
    static boolean isToken(String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /** Header names must be tokens and values free of control characters (no header injection). */
    static void headers(String field, Map<String, String> headers) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!isToken(header.getKey())) {
                throw new FaultSpecException(field,
                        field + " has an invalid header name \"" + header.getKey() + "\"");
            }
            String value = header.getValue();
            if (value == null) {
                throw new FaultSpecException(field + "." + header.getKey(),
                        field + "." + header.getKey() + " must be a string");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new FaultSpecException(field + "." + header.getKey(), field + "."
                            + header.getKey() + " must not contain control characters such as CR or LF");
                }
                if (c > 0x7e) {
                    // a header is bytes on the wire; each side would encode this character its own way
                    throw new FaultSpecException(field + "." + header.getKey(), field + "." + header.getKey()
                            + " must be ASCII: '" + c + "' cannot be carried in an HTTP header value as it is");
                }
            }
        }
    }
}
