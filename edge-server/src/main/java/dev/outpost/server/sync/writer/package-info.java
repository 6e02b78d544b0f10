/**
 * The shard writers and what runs on them: {@link dev.outpost.server.sync.writer.ShardWriter}, the per-file state
 * ({@link dev.outpost.server.sync.writer.FileContext}), the history adapter over the store
 * ({@link dev.outpost.server.sync.writer.ShardServerHistory}) and one command per writer round trip of a session.
 * A command takes an immutable input built on the session's event loop and hands a result back through a
 * {@link dev.outpost.server.sync.writer.ResultCallback}; nothing here reaches a session (see SYNC.md, "Wiring").
 */
package dev.outpost.server.sync.writer;
