package dev.outpost.server.sync.writer;

/**
 * CLIENT_VERSION_REQUEST (the original protocol's request): the last integrated client version of a client file
 * (0 if unknown or the salt does not match).
 */
public final class ClientVersionCommand extends SessionCommand<Long>
{
    private final FileContext file;
    private final long fileIdent;
    private final long salt;

    /**
     * @param file      the bound server file.
     * @param fileIdent the client file asked about.
     * @param salt      its salt.
     * @param callback  where the result goes.
     */
    public ClientVersionCommand(final FileContext file, final long fileIdent, final long salt,
        final ResultCallback<Long> callback)
    {
        super(callback);
        this.file = file;
        this.fileIdent = fileIdent;
        this.salt = salt;
    }

    @Override
    Long run(final ShardWriter writer)
    {
        file.checkLive();
        final var c = fileIdent == 0 ? null : writer.shard.clientFile(file.file, fileIdent);
        return c != null && c.salt() == salt ? c.clientVersion() : 0L;
    }
}
