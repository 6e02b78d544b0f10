package dev.outpost.server.ws;

import org.agrona.DirectBuffer;

/**
 * What one event-loop task of a sync connection is doing, for the per-kind event-loop task timer
 * ({@code outpost_eventloop_task_seconds{kind=...}}). A bounded set: inbound messages by type, and the tasks the session
 * layer hands to the loop with {@link SyncConnection#execute(TaskKind, Runnable)}. Immutable; any thread.
 */
public enum TaskKind
{
    /** Inbound BIND. */
    BIND("bind"),
    /** Inbound IDENT. */
    IDENT("ident"),
    /** Inbound UPLOAD (validation, inflation, copy for the writer). */
    UPLOAD("upload"),
    /** Inbound MARK (and the download scan it starts). */
    MARK("mark"),
    /** Inbound QUERY (FLX). */
    QUERY("query"),
    /** Inbound UNBIND. */
    UNBIND("unbind"),
    /** Inbound PING. */
    PING("ping"),
    /** Any other inbound message (json_error, the original protocol's requests, malformed frames). */
    MESSAGE_OTHER("message_other"),
    /** Fan-out: the server file's head moved; the session scans history and sends downloads. */
    FANOUT("fanout"),
    /** An upload's writer round trip came back: acknowledgement, held-back messages, download scan. */
    ACK("ack"),
    /** Another writer round trip came back (bind, IDENT check, the original protocol's requests). */
    RESULT("result"),
    /** An FLX bootstrap came back from the writer and is sent. */
    BOOTSTRAP("bootstrap"),
    /** A STATE_REQUEST's snapshot came back from the writer and is sent. */
    STATE("state"),
    /** A DOWNLOAD built off the loop came back and is sent. */
    DOWNLOAD("download"),
    /** The connection became writable again: paused sessions resume. */
    WRITABLE("writable"),
    /** The next fragment of a large outbound message is written to the socket (transport, not the session). */
    SEND("send"),
    /** Anything else handed over (shutdown, timers). */
    OTHER("other");

    private static final TaskKind[] VALUES = values();

    private final String tag;

    TaskKind(final String tag)
    {
        this.tag = tag;
    }

    /** @return the metric tag value, e.g. {@code "upload"}. */
    public String tag()
    {
        return tag;
    }

    /** @return every kind, indexed by ordinal (shared: do not modify). */
    public static TaskKind[] all()
    {
        return VALUES;
    }

    /**
     * The kind of an inbound message from the first bytes of its head (the message name), without decoding it.
     *
     * @param buffer the message.
     * @param offset its first byte.
     * @param length its length.
     * @return the kind; {@link #MESSAGE_OTHER} for anything not named here (also for malformed frames).
     */
    public static TaskKind ofMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 5)
        {
            return MESSAGE_OTHER;
        }
        final byte b0 = buffer.getByte(offset);
        final byte b1 = buffer.getByte(offset + 1);
        return switch (b0)
        {
            case 'u' -> b1 == 'p' ? UPLOAD : b1 == 'n' ? UNBIND : MESSAGE_OTHER;
            case 'm' -> b1 == 'a' ? MARK : MESSAGE_OTHER;
            case 'i' -> b1 == 'd' ? IDENT : MESSAGE_OTHER;
            case 'b' -> b1 == 'i' ? BIND : MESSAGE_OTHER;
            case 'q' -> b1 == 'u' ? QUERY : MESSAGE_OTHER;
            case 'p' -> b1 == 'i' ? PING : MESSAGE_OTHER;
            default -> MESSAGE_OTHER;
        };
    }
}
