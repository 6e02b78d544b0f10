package dev.outpost.server.ws;

/**
 * Partition-based (PBS) or flexible (FLX) sync, told apart by the WebSocket sub-protocol prefix the client offers.
 */
public enum SyncMode
{
    PBS("com.mongodb.realm-sync"),
    FLX("com.mongodb.realm-query-sync");

    private final String subprotocolPrefix;

    SyncMode(final String subprotocolPrefix)
    {
        this.subprotocolPrefix = subprotocolPrefix;
    }

    /**
     * @return the sub-protocol prefix without the {@code #} (or legacy {@code /}) separator.
     */
    public String subprotocolPrefix()
    {
        return subprotocolPrefix;
    }
}
