package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;

/**
 * A raw protocol peer (anonymous user) that uploads given changeset bytes to a PBS partition in one UPLOAD and
 * reports the server's answer. Public for the real-client tests, which cannot reach the package's fixtures.
 */
public final class HostilePeer
{
    private HostilePeer()
    {
    }

    /**
     * The server's answer to one UPLOAD.
     *
     * @param errorCode the session error code, or 0 if the upload was acknowledged.
     * @param message   the error's message (or the acknowledging DOWNLOAD's type).
     */
    public record Answer(int errorCode, String message)
    {
    }

    /** Bind {@code partition} on a new connection, then upload {@code changesets} (client versions 2, 3, ...). */
    public static Answer upload(final int port, final String app, final String partition, final byte[]... changesets)
        throws Exception
    {
        final String token = SyncTestClient.login(port, app);
        try (SyncTestClient c = SyncTestClient.connect(port, app, token, false))
        {
            c.bind(1, partition, true);
            final SyncTestClient.Msg ident = c.next(MessageType.SERVER_IDENT);
            c.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
            c.mark(1, 1);
            long head = 0;
            for (SyncTestClient.Msg m = c.next(); m.type() != MessageType.SERVER_MARK; m = c.next())
            {
                if (m.type() == MessageType.DOWNLOAD)
                {
                    head = Math.max(head, m.get(0));
                }
            }
            final SyncTestClient.Up[] entries = new SyncTestClient.Up[changesets.length];
            for (int i = 0; i < changesets.length; i++)
            {
                entries[i] = new SyncTestClient.Up(2 + i, head, changesets[i]);
            }
            c.upload(1, 1 + changesets.length, head, head, false, entries);
            final SyncTestClient.Msg m = c.next();
            if (m.type() == MessageType.SERVER_JSON_ERROR || m.type() == MessageType.ERROR)
            {
                return new Answer((int)m.get(0), m.text());
            }
            return new Answer(0, m.type().toString());
        }
    }
}
