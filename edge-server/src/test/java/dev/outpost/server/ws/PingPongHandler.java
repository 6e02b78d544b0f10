package dev.outpost.server.ws;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The smallest real session handler: answers {@code ping <timestamp> <rtt>\n} with {@code pong <timestamp>\n} and
 * ignores every other message (sessions are not implemented by it). Idle connections are dropped by the endpoint
 * itself. A malformed ping closes the connection with 1002.
 * <p>
 * Parses the head by hand; allocates nothing per message. One instance per connection, event-loop confined.
 */
public final class PingPongHandler implements SyncConnectionHandler
{
    /** Factory to pass to the server. */
    public static final SyncConnectionHandlerFactory FACTORY = PingPongHandler::new;

    private static final System.Logger LOG = System.getLogger(PingPongHandler.class.getName());
    private static final int MAX_DIGITS = 19;
    private static final byte[] PING = {'p', 'i', 'n', 'g', ' '};
    private static final byte[] PONG = {'p', 'o', 'n', 'g', ' '};

    private final SyncConnection connection;
    private long pings;
    private long ignored;

    public PingPongHandler(final SyncConnection connection)
    {
        this.connection = connection;
    }

    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!startsWith(buffer, offset, length, PING))
        {
            ignored++;
            return;
        }
        final int tsStart = offset + PING.length;
        final int tsEnd = digitsEnd(buffer, tsStart, offset + length);
        final int rttStart = tsEnd + 1;
        final int rttEnd = digitsEnd(buffer, rttStart, offset + length);
        if (tsEnd < 0 || rttEnd < 0 || buffer.getByte(tsEnd) != ' ' || buffer.getByte(rttEnd) != '\n' ||
            rttEnd != offset + length - 1)
        {
            connection.close(CloseCodes.PROTOCOL_ERROR, "malformed ping message");
            return;
        }
        pings++;
        final int tsLength = tsEnd - tsStart;
        final int pongLength = PONG.length + tsLength + 1;
        final MutableDirectBuffer out = connection.claim(pongLength);
        if (null == out)
        {
            return;
        }
        out.putBytes(0, PONG);
        out.putBytes(PONG.length, buffer, tsStart, tsLength);
        out.putByte(pongLength - 1, (byte)'\n');
        connection.commit(pongLength);
    }

    public void onClose(final int code, final String reason)
    {
        LOG.log(System.Logger.Level.DEBUG, () -> connection + " closed " + code + " '" + reason + "' after " + pings +
            " pings, " + ignored + " other messages ignored");
    }

    /**
     * @return pings answered so far.
     */
    public long pings()
    {
        return pings;
    }

    private static boolean startsWith(final DirectBuffer buffer, final int offset, final int length, final byte[] word)
    {
        if (length < word.length)
        {
            return false;
        }
        for (int i = 0; i < word.length; i++)
        {
            if (buffer.getByte(offset + i) != word[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return index of the first non-digit at or after {@code start} (1..19 digits required), or -1.
     */
    private static int digitsEnd(final DirectBuffer buffer, final int start, final int limit)
    {
        int i = start;
        while (i < limit && i - start <= MAX_DIGITS)
        {
            final byte b = buffer.getByte(i);
            if (b < '0' || b > '9')
            {
                break;
            }
            i++;
        }
        final int digits = i - start;
        return digits == 0 || digits > MAX_DIGITS || i >= limit ? -1 : i;
    }
}
