package dev.outpost.server.ws;

/**
 * WebSocket close codes and how realm-core (protocol v8+) reacts to them.
 */
public final class CloseCodes
{
    /** Client does nothing special; avoid. */
    public static final int NORMAL = 1000;
    /** Non-fatal protocol violation for the client: it retries with backoff. Used for idle connections. */
    public static final int GOING_AWAY = 1001;
    /** Non-fatal protocol violation: retry with backoff. */
    public static final int PROTOCOL_ERROR = 1002;
    /** Unsupported data (a text frame): non-fatal, retry with backoff. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** Message too big: the client starts a client reset. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** Transient server error: the client retries. */
    public static final int INTERNAL_ERROR = 1011;
    /** The client refreshes its access token and reconnects. */
    public static final int UNAUTHORIZED = 4001;
    /** The client logs the user out. */
    public static final int FORBIDDEN = 4002;
    /** The client refreshes the location. */
    public static final int MOVED_PERMANENTLY = 4003;

    private CloseCodes()
    {
    }
}
