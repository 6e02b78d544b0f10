package dev.outpost.server.sync.writer;

/**
 * A session bound to a server file, as its {@link FileContext} sees it: told when the file's head moves and when
 * another session identifies the same client file. Implemented on the event-loop side; every method may be called
 * from any thread and only hands work to the listener's own event loop.
 */
public interface FileListener
{
    /** Any thread (the writer after a publish): the file's head moved; there is more history to read. */
    void headAdvanced();

    /** @return the id of the connection this listener's session belongs to. */
    long connectionId();

    /**
     * Any thread: a session of connection {@code byConnection} identified this listener's client file; as realm's
     * server does, this (older) session's connection is closed ("superseded session") on its own event loop.
     *
     * @param byConnection the id of the connection that identified the client file again.
     */
    void superseded(long byConnection);
}
