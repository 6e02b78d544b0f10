package dev.outpost.codec.message;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;

/** Identifies the first word of a head without allocating. */
final class MessageWords
{
    private static final int MAX_WORD = 32;

    private MessageWords()
    {
    }

    /**
     * @return the type whose word, followed by one space, starts the frame.
     * @throws CodecException UNKNOWN_MESSAGE if the first word (up to a space, a newline or the end) is not one of
     *                        {@code candidates}; BAD_SYNTAX if it is but is not followed by a space.
     */
    static MessageType identify(
        final DirectBuffer buffer, final int offset, final int length, final MessageType[] candidates)
        throws CodecException
    {
        final int end = offset + Math.min(length, MAX_WORD + 1);
        int i = offset;
        byte b = 0;
        while (i < end && (b = buffer.getByte(i)) != ' ' && b != '\n')
        {
            i++;
        }
        final int wordLength = i - offset;
        for (final MessageType t : candidates)
        {
            final byte[] w = t.wireBytes();
            if (w.length == wordLength && matches(buffer, offset, w))
            {
                if (i >= end || b != ' ')
                {
                    throw new CodecException(ProtocolErrorCode.BAD_SYNTAX, "message type not followed by a space");
                }
                return t;
            }
        }
        throw new CodecException(ProtocolErrorCode.UNKNOWN_MESSAGE, "unknown message type");
    }

    private static boolean matches(final DirectBuffer buffer, final int offset, final byte[] word)
    {
        for (int k = 0; k < word.length; k++)
        {
            if (buffer.getByte(offset + k) != word[k])
            {
                return false;
            }
        }
        return true;
    }
}
