package dev.outpost.server.store;

import java.io.IOException;

/**
 * How many bytes the filesystem of a shard's queue can still take ({@link java.nio.file.FileStore#getUsableSpace()}
 * by default). The store asks before it writes a record that its last answer does not cover (so rarely: once per
 * {@code usable - minFreeBytes} bytes written while there is room), and refuses the write with {@link StoreFull} when
 * less than {@link StoreConfig#minFreeBytes()} would be left. Tests replace it to inject a full disk at the store
 * boundary.
 */
@FunctionalInterface
public interface SpaceProbe
{
    /**
     * @return the bytes an unprivileged writer can still allocate on the filesystem of the queue.
     * @throws IOException if the filesystem cannot be asked (the write is then refused as if it were full).
     */
    long usableBytes() throws IOException;
}
