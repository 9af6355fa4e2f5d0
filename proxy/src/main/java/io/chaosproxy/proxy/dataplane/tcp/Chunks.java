package io.chaosproxy.proxy.dataplane.tcp;

import java.nio.ByteBuffer;

/** Views on part of a chunk, sharing its bytes (no copy). */
final class Chunks {
    private Chunks() {}

    static ByteBuffer first(ByteBuffer chunk, int length) {
        return chunk.slice(chunk.position(), length);
    }

    static ByteBuffer after(ByteBuffer chunk, int skip) {
        return chunk.slice(chunk.position() + skip, chunk.remaining() - skip);
    }
}
