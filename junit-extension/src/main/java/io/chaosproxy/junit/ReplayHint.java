package io.chaosproxy.junit;

import org.opentest4j.AssertionFailedError;

/**
 * How to replay a failed test, joined to its failure: in the message of an assertion failure (the
 * first thing a reader sees), or as a suppressed exception of anything else, whose type and
 * message the test may depend on.
 */
final class ReplayHint extends RuntimeException {

    private ReplayHint(String hint) {
        super(hint, null, false, false); // a note, not an error: no stack trace
    }

    /** The failure to rethrow, carrying {@code hint}. */
    static Throwable attach(Throwable failure, String hint) {
        if (!(failure instanceof AssertionError assertion)) {
            failure.addSuppressed(new ReplayHint(hint));
            return failure;
        }
        String message = assertion.getMessage() == null ? hint : assertion.getMessage() + "\n" + hint;
        AssertionFailedError rebuilt = assertion instanceof AssertionFailedError failed && failed.isExpectedDefined()
                ? new AssertionFailedError(message, failed.getExpected().getValue(), failed.getActual().getValue(), failed.getCause())
                : new AssertionFailedError(message, assertion.getCause());
        rebuilt.setStackTrace(assertion.getStackTrace());
        for (Throwable suppressed : assertion.getSuppressed()) {
            rebuilt.addSuppressed(suppressed);
        }
        return rebuilt;
    }
}
