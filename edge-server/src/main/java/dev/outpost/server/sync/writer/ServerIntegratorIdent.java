package dev.outpost.server.sync.writer;

import dev.outpost.server.store.RevertEntryMarker;

/** File idents with a fixed meaning. */
public final class ServerIntegratorIdent
{
    /** The server's own file ident: server-local changes are stored and sent with it. */
    public static final long SERVER = RevertEntryMarker.SERVER_ORIGIN_FILE_IDENT;

    private ServerIntegratorIdent()
    {
    }
}
