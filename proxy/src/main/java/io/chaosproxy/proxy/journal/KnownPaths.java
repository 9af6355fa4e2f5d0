package io.chaosproxy.proxy.journal;

/**
 * The paths a journal has seen of late, so that an entry keeps the journal's copy of a repeated
 * path instead of its own. A request's path is a new string each time, and a string the ring holds
 * outlives young collections as an entry's own object would (see {@link JournalSlot}). A table of
 * 256 paths by hash, the newest one winning its place; not thread-safe: the journal's lock guards it.
 */
final class KnownPaths {
    private static final int SIZE = 256;

    private final String[] paths = new String[SIZE];

    /** The copy of {@code path} kept here, if any; else {@code path}, kept from now on. */
    String known(String path) {
        if (path == null) {
            return null;
        }
        int at = path.hashCode() & (SIZE - 1);
        String known = paths[at];
        if (path.equals(known)) {
            return known;
        }
        paths[at] = path;
        return path;
    }
}
