package dev.outpost.server.metrics;

import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The context of a sync log line as structured key-values (SLF4J 2 key-value pairs, printed by the Logback
 * encoders as {@code conn=.. session=.. server_file=.. client_file=..} or JSON fields):
 * <pre>
 * app          app id (from the sync URL)
 * user         user id of the connection's access token
 * conn         connection id (a process-wide sequence)
 * remote       peer address
 * session      session ident chosen by the client (BIND)
 * server_file  server file name (PBS partition path or FLX dataset)
 * client_file  client file ident (after IDENT)
 * query_version FLX query version in force (after IDENT or QUERY)
 * </pre>
 * Nothing is formatted or boxed unless the level is enabled, so the log calls may stay on warm paths. A
 * connection's context is created once per connection, a session's once per BIND ({@link #session}); the
 * client file ident is set when known. Owned by the connection's event loop.
 */
public final class LogContext
{
    private final String app;
    private final String user;
    private final long connectionId;
    private final String remote;
    private final long sessionIdent;
    private final String serverFile;
    private long clientFileIdent;
    private long queryVersion = -1;

    private LogContext(final String app, final String user, final long connectionId, final String remote,
        final long sessionIdent, final String serverFile)
    {
        this.app = app;
        this.user = user;
        this.connectionId = connectionId;
        this.remote = remote;
        this.sessionIdent = sessionIdent;
        this.serverFile = serverFile;
    }

    /** @return the context of one connection. */
    public static LogContext connection(final long connectionId, final String remoteAddress)
    {
        return new LogContext(null, null, connectionId, remoteAddress, -1, null);
    }

    /**
     * @param app           the app id of the connection's URL (null if unknown).
     * @param user          the user id of its access token (null if unknown).
     * @param connectionId  connection id.
     * @param remoteAddress peer address.
     * @return the context of one connection of an app.
     */
    public static LogContext connection(final String app, final String user, final long connectionId,
        final String remoteAddress)
    {
        return new LogContext(app, user, connectionId, remoteAddress, -1, null);
    }

    /** @return the context of a session bound on this connection. */
    public LogContext session(final long sessionIdent, final String serverFile)
    {
        return new LogContext(app, user, connectionId, remote, sessionIdent, serverFile);
    }

    /** Sets the FLX query version in force (after IDENT or QUERY). */
    public LogContext queryVersion(final long queryVersion)
    {
        this.queryVersion = queryVersion;
        return this;
    }

    /** @return the app id, or null. */
    public String app()
    {
        return app;
    }

    /** @return the user id, or null. */
    public String user()
    {
        return user;
    }

    /** Sets the client file ident (after IDENT). */
    public LogContext clientFile(final long clientFileIdent)
    {
        this.clientFileIdent = clientFileIdent;
        return this;
    }

    public long connectionId()
    {
        return connectionId;
    }

    public long sessionIdent()
    {
        return sessionIdent;
    }

    public String serverFile()
    {
        return serverFile;
    }

    public long clientFileIdent()
    {
        return clientFileIdent;
    }

    public void info(final Logger log, final String message)
    {
        if (log.isInfoEnabled())
        {
            with(log.atInfo()).log(message);
        }
    }

    public void warn(final Logger log, final String message)
    {
        if (log.isWarnEnabled())
        {
            with(log.atWarn()).log(message);
        }
    }

    public void debug(final Logger log, final String message)
    {
        if (log.isDebugEnabled())
        {
            with(log.atDebug()).log(message);
        }
    }

    /** @return {@code builder} with this context's key-values added (for other levels or extra pairs). */
    public LoggingEventBuilder with(final LoggingEventBuilder builder)
    {
        if (null != app)
        {
            builder.addKeyValue("app", app);
        }
        if (null != user)
        {
            builder.addKeyValue("user", user);
        }
        builder.addKeyValue("conn", connectionId);
        if (null != remote)
        {
            builder.addKeyValue("remote", remote);
        }
        if (sessionIdent >= 0)
        {
            builder.addKeyValue("session", sessionIdent);
        }
        if (null != serverFile)
        {
            builder.addKeyValue("server_file", serverFile);
        }
        if (clientFileIdent > 0)
        {
            builder.addKeyValue("client_file", clientFileIdent);
        }
        if (queryVersion >= 0)
        {
            builder.addKeyValue("query_version", queryVersion);
        }
        return builder;
    }

    @Override
    public String toString()
    {
        return (null != app ? "app=" + app + " " : "") + (null != user ? "user=" + user + " " : "") +
            "conn=" + connectionId + (sessionIdent >= 0 ? " session=" + sessionIdent : "") +
            (null != serverFile ? " server_file=" + serverFile : "") +
            (clientFileIdent > 0 ? " client_file=" + clientFileIdent : "") +
            (queryVersion >= 0 ? " query_version=" + queryVersion : "");
    }
}
