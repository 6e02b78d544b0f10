package dev.outpost.server.sync.writer;

/**
 * BIND: open (or create) the server file's context, pinned for the session, and allocate a client file ident if the
 * client asked for one.
 */
public final class BindCommand extends SessionCommand<BindCommand.Result>
{
    /**
     * @param file      the server file's context, pinned for the session (the session unpins it when it ends, or
     *                  at once if it never takes it).
     * @param allocated the allocated client file ident (0 if none was asked for).
     * @param salt      its salt.
     */
    public record Result(FileContext file, long allocated, long salt)
    {
    }

    private final String fileName;
    private final boolean needIdent;

    /**
     * @param fileName  the server file.
     * @param needIdent whether to allocate a client file ident.
     * @param callback  where the result goes.
     */
    public BindCommand(final String fileName, final boolean needIdent, final ResultCallback<Result> callback)
    {
        super(callback);
        this.fileName = fileName;
        this.needIdent = needIdent;
    }

    @Override
    Result run(final ShardWriter writer)
    {
        final FileContext file = writer.open(fileName);
        file.pin(); // the session's pin, released when it ends (or by the session if it never gets the context)
        if (!needIdent)
        {
            return new Result(file, 0, 0);
        }
        try
        {
            final var c = writer.shard.allocateClientFile(file.file, 0, writer.tools.clock.time());
            return new Result(file, c.ident(), c.salt());
        }
        catch (final RuntimeException | Error ex)
        {
            file.unpin(); // the result is never delivered
            throw ex;
        }
    }
}
