/**
 * The sync session engine, event-loop side: the service, connections, sessions (inbound half in {@code Session},
 * outbound half in {@code SessionDownloads}) and the download pool. Writer-thread work is in
 * {@link dev.outpost.server.sync.writer}, FLX logic in {@link dev.outpost.server.sync.flx}, wire formats in
 * {@link dev.outpost.server.sync.wire}.
 */
package dev.outpost.server.sync;
