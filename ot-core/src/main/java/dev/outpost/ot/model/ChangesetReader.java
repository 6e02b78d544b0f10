package dev.outpost.ot.model;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.changeset.ChangesetDecoder;

/**
 * Wire to model: decodes changeset bytes with a {@link ChangesetDecoder} into {@link Changeset} instructions,
 * resolving every interned index to its string. Malformed input (including an intern string that is not valid
 * UTF-8, or a list instruction whose path does not end in an index) fails with a {@link CodecException} carrying
 * {@link ProtocolErrorCode#BAD_CHANGESET}; the target changeset is then left without instructions.
 * <p>
 * Metadata (version, origin) is not in the bytes: the caller sets it. Not thread-safe; reuse one instance per
 * thread.
 */
public final class ChangesetReader
{
    private final ChangesetDecoder decoder;
    private final ModelBuilder builder = new ModelBuilder();

    public ChangesetReader()
    {
        this(new ChangesetDecoder());
    }

    public ChangesetReader(final ChangesetDecoder decoder)
    {
        this.decoder = decoder;
    }

    /** @return a new changeset (metadata zero) holding the instructions of {@code bytes}. */
    public Changeset read(final byte[] bytes) throws CodecException
    {
        return read(new UnsafeBuffer(bytes), 0, bytes.length, new Changeset());
    }

    /**
     * Appends the instructions of {@code [offset, offset+length)} to {@code into}, whose metadata is kept.
     *
     * @return {@code into}
     */
    public Changeset read(final DirectBuffer buffer, final int offset, final int length, final Changeset into)
        throws CodecException
    {
        final int before = into.size();
        builder.reset(into);
        try
        {
            decoder.decode(buffer, offset, length, builder);
        }
        catch (final CodecException e)
        {
            truncate(into, before);
            throw e;
        }
        final String error = builder.error();
        if (error != null)
        {
            truncate(into, before);
            throw new CodecException(ProtocolErrorCode.BAD_CHANGESET, error);
        }
        builder.finish();
        return into;
    }

    private static void truncate(final Changeset changeset, final int size)
    {
        changeset.instructions().subList(size, changeset.size()).clear();
    }
}
