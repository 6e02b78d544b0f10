package dev.outpost.server.ws;

import dev.outpost.server.auth.VerifiedToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.PendingWriteQueue;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sync WebSocket seen from Netty: sits in the channel pipeline just before Vert.x's handler and takes binary and
 * continuation frames before Vert.x copies them, so each message reaches the {@link SyncConnectionHandler} as an
 * {@link UnsafeBuffer} over the frame's own (pooled, direct) memory. Close, ping and pong frames go on to Vert.x,
 * which answers pings and runs the closing handshake. Text frames close the connection with 1003.
 * <p>
 * Outbound, a message longer than {@code fragmentBytes} (the setting {@code outpost.ws.fragment.bytes}) is sent as a
 * fragmented WebSocket message (a binary frame
 * without fin, then continuation frames; slices of the message's own buffer, no copy) so that no event-loop task
 * hands the socket more than about that many bytes: the fragments, and every data message sent after them, wait in
 * a {@link PendingWriteQueue} (counted in the channel's writability) and are written one slice per task, the next
 * slice once the previous one is in the kernel (task kind {@code send}).
 * Control frames (ping, pong, close) may come in between, as RFC 6455 allows (Vert.x holds its own while the
 * channel is unwritable). A close writes what is queued first.
 * <p>
 * Every connection opened and closed, byte in and out and event-loop task (by {@link TaskKind}) is reported to a
 * {@link ConnectionMeter}.
 * <p>
 * Owned by the channel's event loop; not thread-safe except {@link #execute(Runnable)}.
 */
final class NettySyncConnection extends ChannelInboundHandlerAdapter implements SyncConnection
{
    static final String HANDLER_NAME = "outpost-sync";

    private static final System.Logger LOG = System.getLogger(NettySyncConnection.class.getName());
    private static final byte[] EMPTY = new byte[0];
    private static final AtomicLong IDS = new AtomicLong();


    private final long id = IDS.incrementAndGet();
    private final ServerWebSocket ws;
    private final ContextInternal context;
    private final NegotiatedProtocol protocol;
    private final VerifiedToken user;
    private final String appId;
    private final int maxMessageSize;
    private final long idleTimeoutNs;
    /** Messages longer than this are sent in fragments of this size, one fragment per event-loop task. */
    private final int fragmentBytes;
    private final ConnectionMeter meter;
    private final UnsafeBuffer inbound = new UnsafeBuffer(EMPTY);
    private final UnsafeBuffer outbound = new UnsafeBuffer(EMPTY);
    /** {@link #sendGathered}: messages up to this length are copied into one buffer rather than gathered. */
    static final int COPY_BELOW_BYTES = 2048;
    /** Views a buffer of {@link #sendGathered} while it is filled. */
    private final UnsafeBuffer gatherView = new UnsafeBuffer(EMPTY);
    private final Handler<ByteBuf> deliverTask = this::deliver;
    private final Runnable pumpTask = this::pumpInTask;
    private final Runnable writableTask = this::onWritable;
    private final ChannelFutureListener pumpListener = this::onSliceWritten;

    private ChannelHandlerContext ctx;
    private SyncConnectionHandler handler;
    private ByteBuf fragments;
    private ByteBuf claimed;
    private PendingWriteQueue queued;
    private boolean sliceInFlight;
    private boolean pumping;
    private boolean pumpScheduled;
    private boolean inRead;
    private boolean needsFlush;
    /** A flush task is queued behind the event loop's pending tasks (writes outside a read are coalesced). */
    private boolean flushQueued;
    private final Runnable flushTask = this::flushQueued;
    private boolean closing;
    private boolean closeNotified;
    private int closeCode = -1;
    private String closeReason = "";
    private long lastInboundNs;
    private ScheduledFuture<?> idleCheck;
    /** Why reading is paused: {@link #PAUSE_BACKLOG} and/or {@link #PAUSE_MEMORY}; reading while 0. */
    private int pauseReasons;
    /** Told once when this connection is gone (the endpoint's registry of live connections). */
    private Runnable onGone;
    static final int PAUSE_BACKLOG = 1;
    static final int PAUSE_MEMORY = 2;

    private final String userAgent;

    NettySyncConnection(
        final ServerWebSocket ws,
        final ContextInternal context,
        final NegotiatedProtocol protocol,
        final VerifiedToken user,
        final String appId,
        final int maxMessageSize,
        final long idleTimeoutNs,
        final int fragmentBytes,
        final ConnectionMeter meter)
    {
        this.fragmentBytes = fragmentBytes;
        this.meter = meter;
        this.ws = ws;
        this.context = context;
        this.protocol = protocol;
        this.user = user;
        this.appId = appId;
        this.maxMessageSize = maxMessageSize;
        this.idleTimeoutNs = idleTimeoutNs;
        final String agent = ws.headers().get(io.vertx.core.http.HttpHeaders.USER_AGENT);
        this.userAgent = null == agent || agent.length() <= 256 ? agent : agent.substring(0, 256);
    }

    @Override
    public String userAgent()
    {
        return userAgent;
    }

    /**
     * Insert this connection into the pipeline in front of Vert.x's handler and create the session handler.
     * Called on the event loop in the same task that completed the upgrade, before any frame is read.
     */
    void attach(final ChannelHandlerContext vertxHandlerCtx, final SyncConnectionHandlerFactory factory)
    {
        vertxHandlerCtx.pipeline().addBefore(vertxHandlerCtx.name(), HANDLER_NAME, this);
        lastInboundNs = System.nanoTime();
        ws.closeHandler(v -> onClosed());
        ws.exceptionHandler(ex -> LOG.log(System.Logger.Level.DEBUG, () -> "connection " + id + ": " + ex));
        context.dispatch(() ->
        {
            try
            {
                handler = factory.newHandler(this);
                meter.opened();
            }
            catch (final Throwable ex)
            {
                LOG.log(System.Logger.Level.ERROR, "session handler factory failed for connection " + id, ex);
                close(CloseCodes.INTERNAL_ERROR, "internal error");
            }
        });
        if (!closing)
        {
            idleCheck = ctx.executor().schedule(this::checkIdle, idleTimeoutNs, TimeUnit.NANOSECONDS);
        }
    }

    public void holdInput(final boolean paused)
    {
        pauseReading(PAUSE_BACKLOG, paused);
    }

    /**
     * Event loop: add or remove one reason to stop reading from the socket; the channel reads only while none is
     * left. Netty's {@code autoRead} off means no further read is issued: the peer's bytes wait in the kernel and
     * then in the peer (TCP flow control), not in our memory.
     */
    void pauseReading(final int reason, final boolean paused)
    {
        if (null == ctx)
        {
            return;
        }
        final int before = pauseReasons;
        pauseReasons = paused ? before | reason : before & ~reason;
        if ((0 == before) != (0 == pauseReasons))
        {
            ctx.channel().config().setAutoRead(0 == pauseReasons);
            if (0 == pauseReasons)
            {
                lastInboundNs = System.nanoTime();
                ctx.read();
            }
        }
    }

    /** @param onGone run once when the connection is gone (before {@link #attach}). */
    void onGone(final Runnable onGone)
    {
        this.onGone = onGone;
    }

    /** @return true while reading is paused for any reason (tests, metrics). Event loop. */
    boolean readPaused()
    {
        return 0 != pauseReasons;
    }

    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
        this.queued = new PendingWriteQueue(ctx);
    }

    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (msg instanceof BinaryWebSocketFrame)
        {
            inRead = true;
            lastInboundNs = System.nanoTime();
            final BinaryWebSocketFrame frame = (BinaryWebSocketFrame)msg;
            try
            {
                if (null != fragments)
                {
                    protocolError("binary frame while a fragmented message is incomplete");
                }
                else if (frame.isFinalFragment())
                {
                    deliverInContext(frame.content());
                }
                else
                {
                    appendFragment(frame.content());
                }
            }
            finally
            {
                frame.release();
            }
        }
        else if (msg instanceof ContinuationWebSocketFrame)
        {
            inRead = true;
            lastInboundNs = System.nanoTime();
            final ContinuationWebSocketFrame frame = (ContinuationWebSocketFrame)msg;
            try
            {
                if (null == fragments)
                {
                    if (!closing)
                    {
                        protocolError("continuation frame without a message to continue");
                    }
                }
                else if (appendFragment(frame.content()) && frame.isFinalFragment())
                {
                    final ByteBuf message = fragments;
                    fragments = null;
                    try
                    {
                        deliverInContext(message);
                    }
                    finally
                    {
                        message.release();
                    }
                }
            }
            finally
            {
                frame.release();
            }
        }
        else if (msg instanceof TextWebSocketFrame)
        {
            ReferenceCountUtil.release(msg);
            close(CloseCodes.UNSUPPORTED_DATA, "text frames are not part of the sync protocol");
        }
        else
        {
            ctx.fireChannelRead(msg);
        }
    }

    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        inRead = false;
        if (needsFlush)
        {
            needsFlush = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    public void channelWritabilityChanged(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().isWritable() && null != handler && !closing)
        {
            context.dispatch(writableTask);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void onWritable()
    {
        final long cpu = meter.taskStart(TaskKind.WRITABLE);
        final long start = System.nanoTime();
        handler.onWritable();
        meter.taskEnd(TaskKind.WRITABLE, start, cpu);
    }

    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        releaseBuffers();
    }

    public long connectionId()
    {
        return id;
    }

    public int protocolVersion()
    {
        return protocol.version();
    }

    public SyncMode mode()
    {
        return protocol.mode();
    }

    public String subprotocol()
    {
        return protocol.responseToken();
    }

    public VerifiedToken user()
    {
        return user;
    }

    public String appId()
    {
        return appId;
    }

    public String remoteAddress()
    {
        return String.valueOf(ws.remoteAddress());
    }

    public Context context()
    {
        return context;
    }

    public boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        final MutableDirectBuffer dst = claim(length);
        if (null == dst)
        {
            return false;
        }
        dst.putBytes(0, buffer, offset, length);
        return commit(length);
    }

    public MutableDirectBuffer claim(final int capacity)
    {
        if (closing)
        {
            return null;
        }
        if (null != claimed)
        {
            throw new IllegalStateException("previous claim not committed or aborted");
        }
        final ByteBuf buf = ctx.alloc().directBuffer(capacity, capacity);
        if (buf.hasMemoryAddress())
        {
            outbound.wrap(buf.memoryAddress(), capacity);
        }
        else
        {
            outbound.wrap(buf.nioBuffer(0, capacity), 0, capacity);
        }
        claimed = buf;
        return outbound;
    }

    public boolean commit(final int length)
    {
        final ByteBuf buf = claimed;
        if (null == buf)
        {
            throw new IllegalStateException("nothing claimed");
        }
        claimed = null;
        outbound.wrap(EMPTY);
        if (closing)
        {
            buf.release();
            return false;
        }
        buf.writerIndex(length);
        write(buf);
        meter.bytesOut(length);
        return true;
    }

    public OutboundFrame allocateFrame(final int capacity)
    {
        return new NettyFrame(ctx.alloc().directBuffer(capacity, capacity), capacity);
    }

    public boolean sendFrame(final OutboundFrame frame, final int length)
    {
        final ByteBuf buf = ((NettyFrame)frame).take();
        if (null == buf)
        {
            throw new IllegalStateException("frame already sent or released");
        }
        if (closing)
        {
            buf.release();
            return false;
        }
        if (null != claimed)
        {
            buf.release();
            throw new IllegalStateException("previous claim not committed or aborted");
        }
        buf.writerIndex(length);
        write(buf);
        meter.bytesOut(length);
        return true;
    }

    /**
     * A message of own bytes and shared slices. When it can go at once (nothing queued, one fragment), it is written
     * as a complete WebSocket frame the connection frames itself (Netty's frame encoder passes plain buffers
     * through): up to {@link #COPY_BELOW_BYTES} copied into one pooled buffer (a scatter list of small pieces costs
     * more than copying them); above, a composite of one pooled buffer with the frame header, the message head and
     * the own bytes, and a duplicate of each shared slice between its own ranges (gathered write, the slices are not
     * copied). Otherwise it is copied into one buffer and queued like any message.
     */
    @Override
    public boolean sendGathered(final GatheredMessage message)
    {
        if (closing)
        {
            return false;
        }
        if (null != claimed)
        {
            throw new IllegalStateException("previous claim not committed or aborted");
        }
        final long total = message.length();
        if (!queued.isEmpty() || total > fragmentBytes || total > Integer.MAX_VALUE)
        {
            final int length = (int)total;
            final ByteBuf buf = ctx.alloc().directBuffer(length, length);
            copyInto(buf, message, length);
            write(buf);
            meter.bytesOut(length);
            return true;
        }
        final int length = (int)total;
        final int frameHead = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        final boolean gather = length > COPY_BELOW_BYTES && message.sharedCount() > 0;
        final int ownBytes = frameHead + (gather ? message.headLength() + message.ownLength() : length);
        final ByteBuf own = ctx.alloc().directBuffer(ownBytes, ownBytes);
        own.writeByte(0x82); // FIN, binary
        if (length < 126)
        {
            own.writeByte(length);
        }
        else if (length <= 0xFFFF)
        {
            own.writeByte(126);
            own.writeShort(length);
        }
        else
        {
            own.writeByte(127);
            own.writeLong(length);
        }
        final int headAt = own.writerIndex();
        own.writerIndex(ownBytes);
        wrapGather(own, ownBytes);
        if (!gather)
        {
            // a small message: one copy is cheaper than a scatter list (still one buffer, no frame encoder)
            message.copyTo(gatherView, headAt);
            gatherView.wrap(EMPTY);
            ctx.write(own, ctx.voidPromise());
            scheduleFlush();
            meter.bytesOut(length);
            return true;
        }
        gatherView.putBytes(headAt, message.head(), 0, message.headLength());
        gatherView.putBytes(headAt + message.headLength(), message.own(), 0, message.ownLength());
        gatherView.wrap(EMPTY);
        final int base = headAt + message.headLength();
        final int count = message.sharedCount();
        // one write per message (each write through the pipeline costs a promise in the idle handler)
        final CompositeByteBuf frame = ctx.alloc().compositeDirectBuffer(2 * count + 1);
        int start = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                final int end = base + message.ownEnd(i);
                if (end > start)
                {
                    frame.addComponent(true, own.retainedSlice(start, end - start));
                    start = end;
                }
                frame.addComponent(true, message.shared(i).retainedDuplicate());
            }
            if (ownBytes > start)
            {
                frame.addComponent(true, own.retainedSlice(start, ownBytes - start));
            }
        }
        catch (final RuntimeException ex)
        {
            frame.release();
            throw ex;
        }
        finally
        {
            own.release();
        }
        ctx.write(frame, ctx.voidPromise());
        scheduleFlush();
        meter.bytesOut(length);
        return true;
    }

    private void copyInto(final ByteBuf buf, final GatheredMessage message, final int length)
    {
        wrapGather(buf, length);
        message.copyTo(gatherView, 0);
        gatherView.wrap(EMPTY);
        buf.writerIndex(length);
    }

    private void wrapGather(final ByteBuf buf, final int length)
    {
        if (buf.hasMemoryAddress())
        {
            gatherView.wrap(buf.memoryAddress(), length);
        }
        else
        {
            gatherView.wrap(buf.nioBuffer(0, length), 0, length);
        }
    }

    /** After a write that went to the channel at once: flush now (in a read: at its end) or in a queued task. */
    private void scheduleFlush()
    {
        if (inRead)
        {
            needsFlush = true;
        }
        else if (!flushQueued)
        {
            // outside a read (fan-out and writer results arrive as tasks, often one per session of this
            // connection in a burst): flush once after the tasks already queued, not once per frame
            flushQueued = true;
            ctx.executor().execute(flushTask);
        }
    }

    /**
     * Write one message (takes {@code buf}): at once if nothing is queued and it fits in one fragment, else behind
     * the queued messages, split into fragments if it is longer than {@link #fragmentBytes}.
     */
    private void write(final ByteBuf buf)
    {
        final int length = buf.readableBytes();
        if (queued.isEmpty() && length <= fragmentBytes)
        {
            ctx.write(new BinaryWebSocketFrame(buf), ctx.voidPromise());
            scheduleFlush();
            return;
        }
        if (length <= fragmentBytes)
        {
            queued.add(new BinaryWebSocketFrame(buf), ctx.voidPromise());
        }
        else
        {
            try
            {
                for (int at = 0; at < length; at += fragmentBytes)
                {
                    final int n = Math.min(fragmentBytes, length - at);
                    final boolean fin = at + n == length;
                    final ByteBuf slice = buf.retainedSlice(buf.readerIndex() + at, n);
                    queued.add(0 == at ? new BinaryWebSocketFrame(false, 0, slice) :
                        new ContinuationWebSocketFrame(fin, 0, slice), ctx.voidPromise());
                }
            }
            finally
            {
                buf.release();
            }
        }
        if (!sliceInFlight && !pumping && !pumpScheduled)
        {
            // even the first step runs as a task of its own (kind "send"): the task that queued the message stays
            // short whatever the message's size
            pumpScheduled = true;
            ctx.executor().execute(pumpTask);
        }
    }

    /**
     * Write queued frames up to {@link #fragmentBytes} (at least one) and flush; the last one's completion (it is
     * in the kernel) schedules the next step as a new task.
     */
    private void pump()
    {
        if (pumping || sliceInFlight || closing)
        {
            return;
        }
        pumping = true;
        try
        {
            int budget = fragmentBytes;
            ChannelFuture last = null;
            Object frame;
            while (null != (frame = queued.current()))
            {
                final int size = ((WebSocketFrame)frame).content().readableBytes();
                if (null != last && size > budget)
                {
                    break;
                }
                budget -= size;
                // written before it leaves the queue, so the channel never looks emptier than it is
                last = ctx.write(ReferenceCountUtil.retain(frame));
                queued.remove();
            }
            if (null != last)
            {
                sliceInFlight = true;
                needsFlush = false;
                ctx.flush();
                last.addListener(pumpListener);
            }
        }
        finally
        {
            pumping = false;
        }
    }

    private void pumpInTask()
    {
        pumpScheduled = false;
        try
        {
            final long cpu = meter.taskStart(TaskKind.SEND);
            final long start = System.nanoTime();
            pump();
            meter.taskEnd(TaskKind.SEND, start, cpu);
        }
        catch (final Throwable ex)
        {
            LOG.log(System.Logger.Level.ERROR, "send step failed on connection " + id, ex);
            close(CloseCodes.INTERNAL_ERROR, "internal error");
        }
    }

    private void onSliceWritten(final ChannelFuture future)
    {
        sliceInFlight = false;
        if (future.isSuccess() && !closing && !queued.isEmpty() && !pumpScheduled)
        {
            pumpScheduled = true;
            ctx.executor().execute(pumpTask);
        }
    }

    /** A pooled direct Netty buffer filled by any thread, written to the channel without a copy. */
    private static final class NettyFrame implements OutboundFrame
    {
        private final UnsafeBuffer view;
        private ByteBuf buf;

        NettyFrame(final ByteBuf buf, final int capacity)
        {
            this.buf = buf;
            this.view = buf.hasMemoryAddress() ? new UnsafeBuffer(buf.memoryAddress(), capacity) :
                new UnsafeBuffer(buf.nioBuffer(0, capacity), 0, capacity);
        }

        public MutableDirectBuffer buffer()
        {
            return view;
        }

        ByteBuf take()
        {
            final ByteBuf b = buf;
            buf = null;
            view.wrap(EMPTY);
            return b;
        }

        public void release()
        {
            final ByteBuf b = take();
            if (null != b)
            {
                b.release();
            }
        }
    }

    private void flushQueued()
    {
        flushQueued = false;
        if (!closing)
        {
            ctx.flush();
        }
    }

    public void abort()
    {
        if (null != claimed)
        {
            claimed.release();
            claimed = null;
            outbound.wrap(EMPTY);
        }
    }

    public boolean isWritable()
    {
        if (closing)
        {
            return false;
        }
        if ((flushQueued || needsFlush) && !ctx.channel().isWritable())
        {
            // unwritable because of frames not flushed yet: flush them now, so a session only ever pauses (and waits
            // for channelWritabilityChanged) on bytes the socket has not taken, as with a flush per frame
            ctx.flush();
        }
        return ctx.channel().isWritable();
    }

    public long queuedBytes()
    {
        // the channel's count: frames in its outbound buffer plus those held in our PendingWriteQueue
        final ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        return null == buffer ? 0 : buffer.totalPendingWriteBytes();
    }

    public boolean isOpen()
    {
        return !closing;
    }

    public void close(final int code, final String reason)
    {
        if (!ctx.executor().inEventLoop())
        {
            ctx.executor().execute(() -> close(code, reason));
            return;
        }
        if (closing)
        {
            return;
        }
        closing = true;
        closeCode = code;
        closeReason = truncate(null == reason ? "" : reason);
        // what was sent before the close (an ERROR message, the rest of a fragmented message) goes out first
        Object frame;
        while (null != (frame = queued.current()))
        {
            ctx.write(ReferenceCountUtil.retain(frame), ctx.voidPromise());
            queued.remove();
            needsFlush = true;
        }
        if (needsFlush || flushQueued)
        {
            needsFlush = false;
            ctx.flush();
        }
        ws.close((short)code, closeReason);
    }

    public void execute(final Runnable task)
    {
        execute(TaskKind.OTHER, task);
    }

    public void execute(final TaskKind kind, final Runnable task)
    {
        context.runOnContext(v ->
        {
            final long cpu = meter.taskStart(kind);
            final long start = System.nanoTime();
            task.run();
            meter.taskEnd(kind, start, cpu);
        });
    }

    public String toString()
    {
        return "SyncConnection{id=" + id + ", " + protocol.responseToken() + ", user=" + user.userId() + "}";
    }

    private void deliverInContext(final ByteBuf message)
    {
        if (closing || null == handler)
        {
            return;
        }
        context.dispatch(message, deliverTask);
    }

    private void deliver(final ByteBuf message)
    {
        final int length = message.readableBytes();
        ByteBuf copy = null;
        if (message.hasMemoryAddress())
        {
            inbound.wrap(message.memoryAddress() + message.readerIndex(), length);
        }
        else if (message.hasArray())
        {
            inbound.wrap(message.array(), message.arrayOffset() + message.readerIndex(), length);
        }
        else if (message.isDirect() && message.nioBufferCount() == 1)
        {
            inbound.wrap(message.nioBuffer(message.readerIndex(), length), 0, length);
        }
        else
        {
            copy = ctx.alloc().directBuffer(length, length).writeBytes(message, message.readerIndex(), length);
            inbound.wrap(copy.nioBuffer(0, length), 0, length);
        }
        meter.bytesIn(length);
        final TaskKind kind = TaskKind.ofMessage(inbound, 0, length);
        final long cpu = meter.taskStart(kind);
        final long start = System.nanoTime();
        try
        {
            handler.onMessage(inbound, 0, length);
            meter.taskEnd(kind, start, cpu);
        }
        catch (final Throwable ex)
        {
            LOG.log(System.Logger.Level.ERROR, "session handler failed on connection " + id, ex);
            close(CloseCodes.INTERNAL_ERROR, "internal error");
        }
        finally
        {
            inbound.wrap(EMPTY);
            if (null != copy)
            {
                copy.release();
            }
        }
    }

    /**
     * @return false if the message grew too large (the connection is then closing).
     */
    private boolean appendFragment(final ByteBuf content)
    {
        final int have = null == fragments ? 0 : fragments.readableBytes();
        if ((long)have + content.readableBytes() > maxMessageSize)
        {
            if (null != fragments)
            {
                fragments.release();
                fragments = null;
            }
            close(CloseCodes.MESSAGE_TOO_BIG, "message larger than " + maxMessageSize + " bytes");
            return false;
        }
        if (null == fragments)
        {
            final int initial = (int)Math.min(maxMessageSize, Math.max(256L, content.readableBytes() * 2L));
            fragments = ctx.alloc().directBuffer(initial, maxMessageSize);
        }
        fragments.writeBytes(content);
        return true;
    }

    private void protocolError(final String why)
    {
        LOG.log(System.Logger.Level.DEBUG, () -> "connection " + id + ": " + why);
        close(CloseCodes.PROTOCOL_ERROR, why);
    }

    private void checkIdle()
    {
        if (closing)
        {
            return;
        }
        if (0 != pauseReasons)
        {
            lastInboundNs = System.nanoTime(); // we are not reading: the peer's silence is ours
        }
        final long idle = System.nanoTime() - lastInboundNs;
        if (idle >= idleTimeoutNs)
        {
            LOG.log(System.Logger.Level.DEBUG, () -> "connection " + id + " idle for " +
                TimeUnit.NANOSECONDS.toMillis(idle) + " ms: closing");
            close(CloseCodes.GOING_AWAY, "idle timeout");
        }
        else
        {
            idleCheck = ctx.executor().schedule(this::checkIdle, idleTimeoutNs - idle, TimeUnit.NANOSECONDS);
        }
    }

    private void onClosed()
    {
        if (closeNotified)
        {
            return;
        }
        closeNotified = true;
        closing = true;
        if (null != onGone)
        {
            onGone.run();
        }
        if (null != idleCheck)
        {
            idleCheck.cancel(false);
        }
        releaseBuffers();
        if (null != handler)
        {
            final Short peerCode = ws.closeStatusCode();
            final int code = closeCode >= 0 ? closeCode : null != peerCode ? peerCode : 1006;
            final String reason = closeCode >= 0 ? closeReason : null != ws.closeReason() ? ws.closeReason() : "";
            meter.closed();
            try
            {
                handler.onClose(code, reason);
            }
            catch (final Throwable ex)
            {
                LOG.log(System.Logger.Level.ERROR, "session handler failed on close of connection " + id, ex);
            }
        }
    }

    private void releaseBuffers()
    {
        if (null != queued && !queued.isEmpty())
        {
            queued.removeAndFailAll(new ClosedChannelException());
        }
        if (null != fragments)
        {
            fragments.release();
            fragments = null;
        }
        abort();
    }

    private static String truncate(final String reason)
    {
        final byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= 123)
        {
            return reason;
        }
        int end = 123;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80)
        {
            end--;
        }
        return new String(utf8, 0, end, StandardCharsets.UTF_8);
    }
}
