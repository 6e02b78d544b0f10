package dev.outpost.server.sync;

import dev.outpost.server.store.RevertEntryMarker;

/** File idents with a fixed meaning. */
final class ServerIntegratorIdent
{
    /** The server's own file ident: server-local changes are stored and sent with it. */
    static final long SERVER = RevertEntryMarker.SERVER_ORIGIN_FILE_IDENT;

    private ServerIntegratorIdent()
    {
    }
}
