package dev.outpost.server.sync;

import dev.outpost.codec.ProtocolErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * The last {@link #CAPACITY} protocol errors an app's sync service sent, with their time, code, message and the
 * session they went to, for the admin API ({@code GET .../sync/errors}). Errors are rare next to messages: a short
 * lock per error, never per message.
 * <p>
 * Thread-safe: errors are added from every event loop, read by the admin API.
 */
public final class SyncErrorLog
{
    /** How many errors are kept. */
    public static final int CAPACITY = 256;
    /** Longest message kept (characters). */
    static final int MAX_MESSAGE = 300;

    private final String appId;
    private final Entry[] ring = new Entry[CAPACITY];
    private long added;

    /** @param appId the app the errors belong to. */
    SyncErrorLog(final String appId)
    {
        this.appId = appId;
    }

    /** One error sent. */
    record Entry(long timeMs, int code, String message, long connectionId, String remoteAddress, String userId,
        long sessionIdent, String file)
    {
    }

    void add(final Entry entry)
    {
        synchronized (ring)
        {
            ring[(int)(added++ % CAPACITY)] = entry;
        }
    }

    /**
     * @param limit most entries returned (newest first).
     * @param code  only this code, or 0 for all.
     * @return the newest errors first, as JSON objects.
     */
    public JsonArray recent(final int limit, final int code)
    {
        final Entry[] copy;
        final long count;
        synchronized (ring)
        {
            copy = ring.clone();
            count = added;
        }
        final JsonArray out = new JsonArray();
        for (long i = count - 1; i >= 0 && i >= count - CAPACITY && out.size() < limit; i--)
        {
            final Entry e = copy[(int)(i % CAPACITY)];
            if (null == e || (0 != code && e.code() != code))
            {
                continue;
            }
            out.add(new JsonObject()
                .put("time", Instant.ofEpochMilli(e.timeMs()).toString())
                .put("app_id", appId)
                .put("code", e.code())
                .put("name", name(e.code()))
                .put("message", e.message())
                .put("connection_id", e.connectionId())
                .put("remote_address", e.remoteAddress())
                .put("user_id", e.userId())
                .put("session_ident", e.sessionIdent())
                .put("file", e.file()));
        }
        return out;
    }

    /** @return how many errors were added since start (kept or not). */
    public long total()
    {
        synchronized (ring)
        {
            return added;
        }
    }

    static String name(final int code)
    {
        final ProtocolErrorCode known = ProtocolErrorCode.of(code);
        return null == known ? "unknown" : known.name().toLowerCase(java.util.Locale.ROOT);
    }

    static String cut(final String message)
    {
        return null == message || message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
    }
}
