package dev.outpost.server.sync.writer;

/** File idents with a fixed meaning. */
public final class ServerIntegratorIdent
{
    /** The server's own file ident: server-local changes are stored and sent with it. */
    public static final long SERVER = 1;

    private ServerIntegratorIdent()
    {
    }
}
