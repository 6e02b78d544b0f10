package dev.outpost.server.sync.writer;

/**
 * Where a {@link SessionCommand} hands its result: called once on the writer thread, after the batch's publish; the
 * implementation passes the result to the session's event loop (it never touches session state itself).
 *
 * @param <R> the command's result type.
 */
@FunctionalInterface
public interface ResultCallback<R>
{
    /**
     * Writer thread: the command ran.
     *
     * @param result  the result; with a failure null, or (if the command failed after producing it) a result that
     *                is never applied, only released (e.g. the pin of a BIND's context).
     * @param failure null, or why the command failed (a bug or a store failure; it was rolled back).
     */
    void completed(R result, Throwable failure);
}
