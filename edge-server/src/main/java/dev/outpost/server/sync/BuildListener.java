package dev.outpost.server.sync;

/**
 * The session side of a {@link DownloadJob}: told on the session's event loop when the pool has built the job's
 * message (or failed to), so that it applies the job's outputs and sends the message.
 */
interface BuildListener
{
    /** Event loop: the job is back from the pool. */
    void built();
}
