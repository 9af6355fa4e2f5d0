/**
 * What happened to each exchange: {@link io.chaosproxy.proxy.journal.JournalEntry} with its
 * {@link io.chaosproxy.proxy.journal.Attempt}s, kept in the bounded
 * {@link io.chaosproxy.proxy.journal.RequestJournal} (in {@code JournalSlot}s written over in place,
 * so that a common exchange leaves no object for the ring to keep, for the garbage collector's sake, a
 * repeated path kept once by {@code KnownPaths}; readers get
 * {@code PackedEntry} copies; {@link io.chaosproxy.proxy.journal.HexIds}, the hex codec the tracing
 * package makes its ids with, turns their ids into numbers) and filtered by
 * {@link io.chaosproxy.proxy.journal.JournalQuery}. {@link io.chaosproxy.proxy.journal.ExchangeListener}
 * is how the data plane tells the journal, the access log and the metrics about a finished exchange.
 */
package io.chaosproxy.proxy.journal;
