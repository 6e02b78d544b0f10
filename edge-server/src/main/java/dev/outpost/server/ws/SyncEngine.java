package dev.outpost.server.ws;

import java.time.Duration;

/**
 * The sync engine of one app as the server's lifecycle sees it: it makes the handler of each sync WebSocket of
 * the app and takes part in a graceful shutdown. Thread-safe.
 */
public interface SyncEngine extends SyncConnectionHandlerFactory, AutoCloseable
{
    /**
     * Tell every open sync connection to reconnect later (a transient error the client retries after about a
     * second) and close it; wait until all are closed, at most {@code timeout}. Called once, after the server
     * stopped accepting new connections; any thread but an event loop.
     *
     * @param timeout how long to wait for the connections to close.
     * @return the number of connections told to reconnect.
     */
    int drain(Duration timeout);

    /**
     * Stop the engine and make everything it acknowledged durable (close its store). After {@link #drain}.
     */
    void close();

    /**
     * @return true from the start until {@link #close()} begins; the server's readiness ({@code /ready}) checks it.
     */
    boolean isOpen();

    /**
     * @return false while the engine refuses writes for want of disk space (clients get a retryable error); the
     *     server's readiness ({@code /ready}) checks it. Any thread, cheap (one {@code statvfs} at most).
     */
    default boolean hasSpace()
    {
        return true;
    }

    /**
     * Where the engine reads a user's profile data ({@code %%user.data} of permission rules), once per session.
     * Called once, before the first connection; engines without rules ignore it.
     *
     * @param profiles user id to the user's profile data (JSON-like values), any thread.
     */
    default void profiles(final java.util.function.Function<String, java.util.Map<String, Object>> profiles)
    {
    }

    /**
     * A user's custom user data, read from the engine's data (the app's {@code custom-user-data} setting) at login
     * and at each access token refresh, for the access token's {@code user_data} claim.
     *
     * @param userId the user.
     * @return completes with the document as Extended JSON text, or null when the app configures none or the user
     *     has none; fails with a typed {@link dev.outpost.server.auth.AuthException} when it cannot be read now.
     */
    default java.util.concurrent.CompletableFuture<String> customUserData(final String userId)
    {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /**
     * Replace the app's permission rules while it serves (see {@code SyncService.reloadRules}); engines without rules
     * ignore it. Any thread but an event loop.
     *
     * @param rules the new rules.
     * @return true if they differ from those in force and were applied.
     */
    default boolean reloadRules(final dev.outpost.ot.rules.Rules rules)
    {
        return false;
    }

    /**
     * Whether a connection's refresh session is still live (not logged out), asked at every BIND: the access token
     * is checked at the upgrade only, and a connection opened before a logout must not bind new sessions after
     * it. Called once, before the first connection; engines that bind nothing ignore it.
     *
     * @param live refresh session id to true while the session is live, any thread.
     */
    default void liveSessions(final java.util.function.Predicate<String> live)
    {
    }

    /**
     * The process is short of heap, or no longer ({@link dev.outpost.server.memory.HeapGuard}): drop what can be
     * rebuilt (cached object states) while it lasts. Any thread; must return at once. Default: nothing.
     *
     * @param pressure true when pressure starts, false when it ends.
     */
    default void memoryPressure(final boolean pressure)
    {
    }

    /**
     * For handler factories without state of their own (tests of the HTTP and WebSocket layers): Outpost's sync
     * engine is {@code dev.outpost.server.sync.SyncService}, which drains for real.
     *
     * @param factory a plain handler factory.
     * @return an engine around it with nothing to drain or close (connections are closed with the server).
     */
    static SyncEngine of(final SyncConnectionHandlerFactory factory)
    {
        return new SyncEngine()
        {
            private volatile boolean open = true;

            public SyncConnectionHandler newHandler(final SyncConnection connection)
            {
                return factory.newHandler(connection);
            }

            public int drain(final Duration timeout)
            {
                return 0;
            }

            public void close()
            {
                open = false;
            }

            public boolean isOpen()
            {
                return open;
            }
        };
    }
}
