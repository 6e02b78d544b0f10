package dev.outpost.server.sync;

/** File idents with a fixed meaning. */
final class ServerIntegratorIdent
{
    /** The server's own file ident: server-local changes are stored and sent with it. */
    static final long SERVER = 1;

    private ServerIntegratorIdent()
    {
    }
}
