package dev.outpost.server.sync;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.message.ClientMessageDecoder;
import dev.outpost.codec.message.MessageType;
import dev.outpost.codec.message.ServerMessageEncoder;
import dev.outpost.codec.message.UploadEntryIterator;
import dev.outpost.server.auth.VerifiedToken;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.sync.wire.ErrorBodies;
import dev.outpost.server.sync.writer.FileContext;
import dev.outpost.server.ws.CloseCodes;
import dev.outpost.server.metrics.LogContext;
import dev.outpost.server.ws.SyncConnection;
import dev.outpost.server.ws.SyncConnectionHandler;
import dev.outpost.server.ws.SyncMode;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The session layer of one sync WebSocket: decodes every frame, answers PING, owns the sessions of the connection
 * (many per connection, by session ident) and sends connection-level errors. Event-loop confined (all methods run on
 * the connection's event loop); results from writers come back through {@link SyncConnection#execute}.
 * <p>
 * A malformed frame is a connection-level error (the session ident cannot be trusted): {@code error <code>} with
 * session 0 and the codec's code, then the connection is closed. Errors of one session are session-level and touch
 * only that session.
 */
final class ConnectionHandler implements SyncConnectionHandler
{
    private static final System.Logger LOG = System.getLogger(ConnectionHandler.class.getName());
    /** Connection events with their context as key-values (see {@link LogContext}). */
    private static final org.slf4j.Logger EVENTS = org.slf4j.LoggerFactory.getLogger(ConnectionHandler.class);
    /** Most bytes of messages held back for busy sessions of one connection before a session is dropped. */
    static final long MAX_DEFERRED_BYTES = 64L << 20;
    /**
     * Held-back bytes of one connection over which it stops reading from its socket (the client then waits in TCP
     * until the writer has caught up), and reads again once they are under half of it: memory per connection stays
     * near this, not {@link #MAX_DEFERRED_BYTES}, with a client that uploads faster than its file's writer takes.
     */
    static final long HOLD_INPUT_BYTES = 1L << 20;
    private static final AtomicLongFieldUpdater<ConnectionHandler> BUILDS =
        AtomicLongFieldUpdater.newUpdater(ConnectionHandler.class, "builds");
    private static final AtomicLongFieldUpdater<ConnectionHandler> QUEUED_PEAK =
        AtomicLongFieldUpdater.newUpdater(ConnectionHandler.class, "queuedPeak");

    final SyncService service;
    final SyncConnection connection;
    final boolean flx;
    final ClientMessageDecoder decoder = new ClientMessageDecoder();
    final ServerMessageEncoder encoder = new ServerMessageEncoder();
    final UploadEntryIterator uploadEntries = new UploadEntryIterator();
    private final Long2ObjectHashMap<Session> sessions = new Long2ObjectHashMap<>();
    private final LongHashSet endedSessions = new LongHashSet();
    private final ArrayList<Session> paused = new ArrayList<>();
    private long slowConsumerTimer = -1;
    /** Closes the connection if no BIND arrives within {@code ws.bind-timeout} of the upgrade; -1 once one did. */
    private long bindTimer = -1;
    long deferredBytes;
    /** Reading from the socket is paused because {@link #deferredBytes} went over {@link #HOLD_INPUT_BYTES}. */
    private boolean inputHeld;
    private boolean closed;
    final LogContext log;
    /** Per-connection outbound budget ({@code max-queued-bytes-per-connection}), see {@link #mayBuild()}. */
    private final long maxQueuedBytes;
    /** Expected bytes of the messages being built for this connection on the download pool (or on their way back). */
    private long building;
    /**
     * Messages built for this connection (inline and on the pool); written on the event loop only, with ordered
     * stores ({@link #BUILDS}): no fence per message on the fan-out path, visible to other threads soon after.
     */
    private volatile long builds;
    /** Most bytes queued plus being built seen for this connection; written on the event loop only (ordered). */
    private volatile long queuedPeak;
    /** When the connection was accepted (epoch ms, the service's clock), for the admin API. */
    final long since;

    ConnectionHandler(final SyncService service, final SyncConnection connection)
    {
        this.service = service;
        this.connection = connection;
        this.log = LogContext.connection(connection.appId(), null == connection.user() ? null :
            connection.user().userId(), connection.connectionId(), connection.remoteAddress());
        this.flx = connection.mode() == SyncMode.FLX;
        this.maxQueuedBytes = service.config.maxQueuedBytesPerConnection();
        this.since = service.clock.time();
        decoder.flx(flx).protocolVersion(connection.protocolVersion());
        encoder.flx(flx).protocolVersion(connection.protocolVersion());
        final long bindTimeoutMs = Math.max(1, service.config.wsBindTimeout().toMillis());
        bindTimer = connection.context().owner().setTimer(bindTimeoutMs, id ->
        {
            bindTimer = -1;
            // try_again (100): an honest client binds at once, so only a stalled or idle peer ever sees this
            connectionError(ProtocolErrorCode.CONNECTION_CLOSED, "no BIND within " + bindTimeoutMs +
                " ms of the upgrade (setting " + ServerConfig.WS_BIND_TIMEOUT_PROP + ")");
        });
    }

    private void cancelBindTimer()
    {
        if (bindTimer >= 0)
        {
            connection.context().owner().cancelTimer(bindTimer);
            bindTimer = -1;
        }
    }

    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed)
        {
            return;
        }
        try
        {
            decoder.wrap(buffer, offset, length);
        }
        catch (final CodecException ex)
        {
            connectionError(ex.errorCode(), "bad message: " + ex.getMessage());
            return;
        }
        try
        {
            dispatch(buffer, offset, length);
        }
        catch (final RuntimeException ex)
        {
            // a bug, never bad input (that is a CodecException or a session error): keep it to this connection
            LOG.log(System.Logger.Level.ERROR, "connection " + connection.connectionId() + ": " +
                decoder.type() + " failed", ex);
            connectionError(ProtocolErrorCode.OTHER_ERROR, "internal error");
        }
    }

    /** Dispatch the message in {@link #decoder} (a frame, or a deferred copy of one). */
    private void dispatch(final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageType type = decoder.type();
        switch (type)
        {
            case PING -> pong(decoder.timestamp());
            case BIND -> bind();
            case TEST_COMMAND -> LOG.log(System.Logger.Level.DEBUG, "test_command ignored");
            case REFRESH -> LOG.log(System.Logger.Level.DEBUG, "legacy refresh ignored");
            case ALLOC -> connectionError(ProtocolErrorCode.UNKNOWN_MESSAGE, "alloc is not supported");
            default -> sessionMessage(type, buffer, offset, length);
        }
    }

    private void sessionMessage(final MessageType type, final DirectBuffer buffer, final int offset, final int length)
    {
        final long ident = decoder.sessionIdent();
        final Session s = sessions.get(ident);
        if (s == null)
        {
            if (endedSessions.contains(ident) && ident != 0)
            {
                return; // a session that used to exist: ignore (its UNBIND after an error, late uploads...)
            }
            connectionError(ProtocolErrorCode.BAD_SESSION_IDENT, "no session " + ident + " on this connection");
            return;
        }
        if (s.mustDefer(type))
        {
            if (deferredBytes + length > MAX_DEFERRED_BYTES)
            {
                s.error(ProtocolErrorCode.SESSION_CLOSED, ErrorBodies.TRANSIENT, true,
                    "too many messages waiting for the server file's writer");
                return;
            }
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            deferredBytes += length;
            s.defer(type, copy);
            if (!inputHeld && deferredBytes > HOLD_INPUT_BYTES)
            {
                inputHeld = true;
                connection.holdInput(true);
            }
            return;
        }
        s.handle(type, decoder);
    }

    /** A session finished a writer round trip: run its held-back messages in order while they may run. */
    void runDeferred(final Session s)
    {
        byte[] next;
        while (!closed && (next = s.pollDeferred()) != null)
        {
            deferredBytes -= next.length;
            final UnsafeBuffer b = new UnsafeBuffer(next);
            try
            {
                decoder.wrap(b, 0, next.length);
            }
            catch (final CodecException ex)
            {
                connectionError(ex.errorCode(), "bad message: " + ex.getMessage());
                return;
            }
            if (sessions.get(s.ident) != s)
            {
                return;
            }
            s.handle(decoder.type(), decoder);
        }
        releaseInput();
    }

    /** Read from the socket again once the held-back bytes are under half of {@link #HOLD_INPUT_BYTES}. */
    void releaseInput()
    {
        if (inputHeld && (closed || deferredBytes <= HOLD_INPUT_BYTES / 2))
        {
            inputHeld = false;
            connection.holdInput(false);
        }
    }

    private void bind()
    {
        cancelBindTimer();
        final VerifiedToken user = connection.user();
        if (null != user && !service.sessionLive(user.sessionId()))
        {
            // Logged out since the upgrade: 4001 makes the client refresh its token, which fails, so it logs out.
            connection.close(CloseCodes.UNAUTHORIZED, "the user's session was logged out");
            return;
        }
        final long ident = decoder.sessionIdent();
        if (ident == 0)
        {
            connectionError(ProtocolErrorCode.BAD_SESSION_IDENT, "session ident 0");
            return;
        }
        if (sessions.containsKey(ident))
        {
            connectionError(ProtocolErrorCode.REUSE_OF_SESSION_IDENT, "session " + ident + " is still bound");
            return;
        }
        final Session s = new Session(this, ident);
        final int maxSessions = service.config.maxSessionsPerConnection();
        if (sessions.size() >= maxSessions)
        {
            // refused without being kept (104 and 224 would crash realm's client): its UNBIND is ignored
            endedSessions.add(ident);
            s.error(ProtocolErrorCode.OTHER_SESSION_ERROR, ErrorBodies.APPLICATION_BUG, false,
                "too many sessions on one connection: the limit is " + maxSessions + " (setting " +
                ServerConfig.MAX_SESSIONS_PER_CONNECTION_PROP + ")");
            return;
        }
        final SyncSettingsRules.Refusal wrongMode = SyncSettingsRules.mode(service.syncSettings, flx);
        if (null != wrongMode)
        {
            connectionJsonError(wrongMode.code(), ErrorBodies.APPLICATION_BUG, wrongMode.message());
            return;
        }
        endedSessions.remove(ident);
        final String path = decoder.buffer().getStringWithoutLengthUtf8(decoder.bindDataOffset(),
            decoder.bindDataLength());
        sessions.put(ident, s);
        s.bind(path, decoder.needClientFileIdent());
    }

    /** The session ended (UNBIND answered, or dropped after an error): forget it, remember the ident. */
    void ended(final Session s)
    {
        if (sessions.get(s.ident) == s)
        {
            sessions.remove(s.ident);
            endedSessions.add(s.ident);
        }
        paused.remove(s);
    }

    /** @return whether another live session of this connection is bound to the same client file. */
    boolean clientFileBoundElsewhere(final Session s, final FileContext ctx, final long clientFileIdent)
    {
        for (final Session other : sessions.values())
        {
            if (other != s && other.boundTo(ctx, clientFileIdent))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Any thread: a session of another connection identified the client file of {@code s}. As realm's server does,
     * this (older) connection is taken for a zombie and closed on its own event loop, unless {@code s} ended first.
     */
    void supersede(final Session s, final long byConnection)
    {
        connection.execute(() ->
        {
            if (closed || sessions.get(s.ident) != s)
            {
                return;
            }
            s.logContext().info(EVENTS, "client file bound again by connection " + byConnection +
                ": closing this older connection (superseded session)");
            service.sessionSuperseded();
            endAll();
            connection.close(CloseCodes.GOING_AWAY, "superseded session");
        });
    }

    Session session(final long ident)
    {
        return sessions.get(ident);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // slow consumers

    /**
     * @return whether a session of this connection may build its next message: the connection is writable and its
     * bytes queued but not sent plus those being built are under {@code max-queued-bytes-per-connection}, counted
     * for all its sessions together (so a connection that does not read holds at most the budget plus one message,
     * and its sessions cost no more build work until it drains). A session that may not pauses until
     * {@link #onWritable()} or a finished build makes room ({@link #resumePaused()}).
     */
    boolean mayBuild()
    {
        return connection.isWritable() && outstandingBytes() < maxQueuedBytes;
    }

    /** @return bytes of this connection's messages queued in the channel plus the expected size of those building. */
    long outstandingBytes()
    {
        return connection.queuedBytes() + building;
    }

    /** A session starts building a message of about {@code expected} bytes on the download pool. */
    void buildStarted(final long expected)
    {
        building += expected;
        BUILDS.lazySet(this, builds + 1);
        notePeak();
    }

    /** The message of {@link #buildStarted(long)} is back on the loop (sent or dropped right after). */
    void buildFinished(final long expected)
    {
        building -= expected;
    }

    /** A session built and sent a small message inline. */
    void builtInline()
    {
        BUILDS.lazySet(this, builds + 1);
        notePeak();
    }

    /** A built message was handed to the connection. */
    void notePeak()
    {
        final long now = outstandingBytes();
        if (now > queuedPeak)
        {
            QUEUED_PEAK.lazySet(this, now);
        }
    }

    /** @return messages built for this connection so far (any thread; tests and metrics). */
    long builds()
    {
        return builds;
    }

    /** @return the most bytes queued plus being built seen for this connection (any thread; tests and metrics). */
    long queuedPeak()
    {
        return queuedPeak;
    }

    /** @return sessions bound on this connection (any thread, approximate; tests). */
    int sessionCount()
    {
        return sessions.size();
    }

    /** A session stopped reading history because the connection is not writable. */
    void paused(final Session s)
    {
        if (!paused.contains(s))
        {
            paused.add(s);
        }
        if (slowConsumerTimer < 0)
        {
            final long ms = Math.max(1, service.slowConsumerTimeout.toMillis());
            slowConsumerTimer = connection.context().owner().setTimer(ms, id ->
            {
                slowConsumerTimer = -1;
                if (!closed && !paused.isEmpty() && !connection.isWritable())
                {
                    log.info(EVENTS, "not writable for " + ms + " ms with downloads pending: dropping the " +
                        "connection (slow consumer)");
                    service.slowConsumerDropped();
                    connection.close(CloseCodes.INTERNAL_ERROR, "slow consumer");
                }
            });
        }
    }

    public void onWritable()
    {
        if (slowConsumerTimer >= 0)
        {
            connection.context().owner().cancelTimer(slowConsumerTimer);
            slowConsumerTimer = -1;
        }
        resumePaused();
    }

    /**
     * Resume paused sessions in order while the connection has room ({@link #mayBuild()}); the rest stay paused, in
     * order, for the next {@link #onWritable()} or finished build. Each session at most once per call (one that
     * pauses again goes to the end of the list).
     */
    void resumePaused()
    {
        for (int n = paused.size(); n > 0 && mayBuild(); n--)
        {
            // checked after mayBuild(): a writability change it triggers may resume (and empty the list) re-entrantly
            if (paused.isEmpty())
            {
                return;
            }
            paused.remove(0).resume();
        }
    }

    public void onClose(final int code, final String reason)
    {
        service.handlerClosed(this);
        cancelBindTimer();
        if (slowConsumerTimer >= 0)
        {
            connection.context().owner().cancelTimer(slowConsumerTimer);
        }
        endAll();
    }

    boolean isClosed()
    {
        return closed;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // sending

    private void pong(final long timestamp)
    {
        final MutableDirectBuffer out = connection.claim(64);
        if (out != null)
        {
            connection.commit(encoder.pong(out, 0, timestamp));
        }
    }

    /**
     * Event loop: the app's permission rules were replaced ({@link SyncService#reloadRules}); each session checks
     * what its user may now read and write (see {@link Session#rulesChanged()}).
     */
    void rulesChanged()
    {
        if (closed || sessions.isEmpty())
        {
            return;
        }
        for (final Session s : sessions.values().toArray(new Session[0]))
        {
            s.rulesChanged();
        }
    }

    /**
     * Event loop: this connection as the admin API lists it (who, from where, with which SDK, since when, and its
     * bound sessions).
     */
    io.vertx.core.json.JsonObject adminSnapshot()
    {
        final String userAgent = connection.userAgent();
        final io.vertx.core.json.JsonArray bound = new io.vertx.core.json.JsonArray();
        for (final Session s : sessions.values())
        {
            bound.add(new io.vertx.core.json.JsonObject().put("ident", s.ident).put("file", s.fileName())
                .put("client_file_ident", s.clientFileIdent));
        }
        return new io.vertx.core.json.JsonObject()
            .put("id", connection.connectionId())
            .put("app_id", connection.appId())
            .put("mode", flx ? "flx" : "pbs")
            .put("protocol_version", connection.protocolVersion())
            .put("user_id", null == connection.user() ? null : connection.user().userId())
            .put("remote_address", connection.remoteAddress())
            .put("user_agent", userAgent)
            .put("sdk", UserAgents.sdk(userAgent))
            .put("core_version", UserAgents.coreVersion(userAgent))
            .put("since", java.time.Instant.ofEpochMilli(since).toString())
            .put("sessions", bound);
    }

    /** @return the server file of session {@code ident} of this connection, or null. Event loop. */
    String fileOf(final long ident)
    {
        final Session s = 0 == ident ? null : sessions.get(ident);
        return null == s ? null : s.fileName();
    }

    /** @return whether one of this connection's sessions is bound to server file {@code fileName}. Event loop. */
    boolean boundTo(final String fileName)
    {
        for (final Session s : sessions.values())
        {
            if (fileName.equals(s.fileName()))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Event loop: the admin forced a client reset of {@code fileName} (every client file, or {@code clientFileIdent}
     * only): each identified session of this connection on it gets the client-reset error now.
     */
    void forceClientReset(final String fileName, final long clientFileIdent, final String message)
    {
        if (closed)
        {
            return;
        }
        for (final Session s : sessions.values().toArray(new Session[0]))
        {
            if (fileName.equals(s.fileName()) && s.clientFileIdent > 0 &&
                (0 == clientFileIdent || s.clientFileIdent == clientFileIdent))
            {
                s.forcedReset(message);
            }
        }
    }

    /**
     * Event loop: the server file of context {@code ctx} was deleted (admin API): every session of this connection
     * bound to that context gets its client reset (see {@link Session#fileDeleted()}).
     */
    void serverFileDeleted(final dev.outpost.server.sync.writer.FileContext ctx)
    {
        if (closed)
        {
            return;
        }
        for (final Session s : sessions.values().toArray(new Session[0]))
        {
            if (s.boundTo(ctx))
            {
                s.fileDeleted();
            }
        }
    }

    /**
     * Event loop: the admin disconnected this connection: {@code error 100} with try_again (the client reconnects
     * after its backoff), then close with 1001.
     */
    void adminDisconnect()
    {
        if (closed)
        {
            return;
        }
        final byte[] text = "disconnected by the server's administrator".getBytes(StandardCharsets.UTF_8);
        service.errorSent(ProtocolErrorCode.CONNECTION_CLOSED.code(), "disconnected by the administrator", this, 0);
        final MutableDirectBuffer out = connection.claim(text.length + 96);
        if (out != null)
        {
            connection.commit(encoder.error(out, 0, ProtocolErrorCode.CONNECTION_CLOSED.code(), true, 0,
                new UnsafeBuffer(text), 0, text.length));
        }
        endAll();
        connection.close(CloseCodes.GOING_AWAY, "disconnected by the administrator");
    }

    /**
     * Event loop: the admin disabled, deleted or logged out this connection's user: close with {@code code}
     * (4002 logs the user out, 4001 makes the client refresh its token, which then fails).
     */
    void adminClose(final int code, final String reason)
    {
        if (closed)
        {
            return;
        }
        endAll();
        connection.close(code, reason);
    }

    /**
     * Graceful server shutdown (event loop): {@code error 100 <len> 1 0} (connection_closed, try_again = 1, which
     * realm-core answers by reconnecting after its first backoff step, about 1 s), then close with 1001. Work already
     * handed to a writer completes or is dropped unacknowledged; the client re-uploads anything not acknowledged.
     */
    void serverShutdown()
    {
        if (closed)
        {
            return;
        }
        final byte[] text = "the server is shutting down; reconnect later".getBytes(StandardCharsets.UTF_8);
        final MutableDirectBuffer out = connection.claim(text.length + 96);
        if (out != null)
        {
            connection.commit(encoder.error(out, 0, ProtocolErrorCode.CONNECTION_CLOSED.code(), true, 0,
                new UnsafeBuffer(text), 0, text.length));
        }
        endAll();
        connection.close(CloseCodes.GOING_AWAY, "server shutting down");
    }

    /** Send a connection-level error (session 0) and close the connection. */
    void connectionError(final ProtocolErrorCode code, final String message)
    {
        if (closed)
        {
            return;
        }
        final ProtocolErrorCode safe = code.unsafeForClient() || !code.isConnectionLevel() ?
            ProtocolErrorCode.OTHER_ERROR : code;
        service.metrics.logPeerError(code, log, message);
        service.errorSent(safe.code(), message, this, 0);
        final byte[] text = message.getBytes(StandardCharsets.UTF_8);
        final MutableDirectBuffer out = connection.claim(text.length + 96);
        if (out != null)
        {
            connection.commit(encoder.error(out, 0, safe.code(), safe == ProtocolErrorCode.CONNECTION_CLOSED, 0,
                new UnsafeBuffer(text), 0, text.length));
        }
        endAll();
        connection.close(CloseCodes.PROTOCOL_ERROR, "protocol error " + safe.code());
    }

    /**
     * Send a connection-level error (session 0) as JSON_ERROR with {@code action} and tryAgain false (plain ERROR
     * before protocol 4), then close the connection. For the errors realm-core's client expects with an action
     * (113/114: Atlas sent them with ApplicationBug, which the client reports as fatal {@code WrongSyncType}).
     */
    void connectionJsonError(final ProtocolErrorCode code, final String action, final String message)
    {
        if (closed)
        {
            return;
        }
        service.metrics.logPeerError(code, log, message);
        service.errorSent(code.code(), message, this, 0);
        final byte[] text = (connection.protocolVersion() >= 4 ? ErrorBodies.json(action, message, false) : message)
            .getBytes(StandardCharsets.UTF_8);
        final MutableDirectBuffer out = connection.claim(text.length + 96);
        if (out != null)
        {
            connection.commit(connection.protocolVersion() >= 4 ?
                encoder.jsonError(out, 0, code.code(), 0, new UnsafeBuffer(text), 0, text.length) :
                encoder.error(out, 0, code.code(), false, 0, new UnsafeBuffer(text), 0, text.length));
        }
        endAll();
        connection.close(CloseCodes.PROTOCOL_ERROR, "protocol error " + code.code());
    }

    /** The connection is done: every session ends with it (none is resumed or built for any more). */
    private void endAll()
    {
        closed = true;
        for (final Session s : sessions.values())
        {
            s.connectionClosed();
        }
        sessions.clear();
        paused.clear();
    }
}
