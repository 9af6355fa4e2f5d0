package io.chaosproxy.proxy.dataplane.tcp;

import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;

/**
 * One step of a direction's pipe: takes a chunk, does its one thing (wait, split, stall, cut) and
 * hands it to the next stage, completing {@code done} once the chunk is written out or failed.
 * One chunk is in a direction at a time, so stages keep the byte order without queues.
 */
interface Stage {
    void pass(ByteBuffer chunk, Callback done);
}
