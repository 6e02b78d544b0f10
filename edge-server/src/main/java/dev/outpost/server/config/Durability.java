package dev.outpost.server.config;

/** When an acknowledged write is on disk (setting {@code durability}). */
public enum Durability
{
    /**
     * Appends go to the memory-mapped history; the OS writes them back. An acknowledged write survives a crash or
     * {@code kill -9} of the server process, not a power loss or kernel crash (the last seconds may be lost).
     */
    OS,
    /**
     * Group commit: each writer batch is forced to disk (fdatasync) before it is published and acknowledged. An
     * acknowledged write survives a power loss; each batch waits for the disk.
     */
    FSYNC
}
