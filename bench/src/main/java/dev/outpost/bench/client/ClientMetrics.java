package dev.outpost.bench.client;

/**
 * Observations a client reports; implementations must be thread-safe (every connection's event loop calls them).
 * Every method has a no-op default.
 */
public interface ClientMetrics
{
    ClientMetrics NONE = new ClientMetrics()
    {
    };

    /** A local changeset was acknowledged by the server {@code nanos} after its local commit. */
    default void uploadAcked(final long nanos)
    {
    }

    /** A changeset of another client arrived {@code nanos} after its author committed it (in-process authors). */
    default void fannedOut(final long nanos)
    {
    }

    /** A DOWNLOAD with {@code changesets} server changesets was integrated. */
    default void integrated(final int changesets)
    {
    }

    /** A DOWNLOAD arrived; {@code compressed}: its body was zlib data of {@code bodyBytes} bytes. */
    default void downloadReceived(final boolean compressed, final int bodyBytes)
    {
    }

    default void bytesSent(final int bytes)
    {
    }

    default void bytesReceived(final int bytes)
    {
    }

    /** A protocol, session or transport error. */
    default void error(final String what)
    {
    }

    default void reconnected()
    {
    }

    /** A PING round trip. */
    default void pingRtt(final long nanos)
    {
    }
}
