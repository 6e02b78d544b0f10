package dev.outpost.ot.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A changeset as a mutable list of {@link Instruction}s plus the metadata the merge needs:
 * <ul>
 * <li>{@code version}: the version this changeset produced on its author (client version for an upload, server
 *     version for a history entry);</li>
 * <li>{@code lastIntegratedRemoteVersion}: the peer's version it is based on (an upload's {@code server_version},
 *     a download's {@code last_integrated_client_version});</li>
 * <li>{@code originTimestamp} and {@code originFileIdent}: the tie-break discriminant. An ident of 0 means "local
 *     origin"; the merge substitutes the local file ident for it.</li>
 * </ul>
 * Names are plain strings: a changeset owns no intern table; the writer builds one. {@link #trailingStrings()} keeps
 * strings the source bytes interned after the last instruction (layout only, see
 * {@link Instruction#declaredStrings()}). Equality covers metadata and instructions.
 * <p>
 * Not thread-safe; owned by whoever holds it (on the server: the server file's writer).
 */
public final class Changeset
{
    private final ArrayList<Instruction> instructions;
    private long version;
    private long lastIntegratedRemoteVersion;
    private long originTimestamp;
    private long originFileIdent;
    private String[] trailingStrings = new String[0];

    public Changeset()
    {
        instructions = new ArrayList<>();
    }

    public Changeset(
        final long version, final long lastIntegratedRemoteVersion, final long originTimestamp, final long originFileIdent)
    {
        this();
        this.version = version;
        this.lastIntegratedRemoteVersion = lastIntegratedRemoteVersion;
        this.originTimestamp = originTimestamp;
        this.originFileIdent = originFileIdent;
    }

    /** @return the instructions, in order; a live, mutable list. */
    public List<Instruction> instructions()
    {
        return instructions;
    }

    public Changeset add(final Instruction instruction)
    {
        instructions.add(instruction);
        return this;
    }

    /** Pre-sizes the instruction list. */
    public Changeset ensureCapacity(final int instructions)
    {
        this.instructions.ensureCapacity(instructions);
        return this;
    }

    public int size()
    {
        return instructions.size();
    }

    public boolean isEmpty()
    {
        return instructions.isEmpty();
    }

    public Instruction get(final int i)
    {
        return instructions.get(i);
    }

    public long version()
    {
        return version;
    }

    public Changeset setVersion(final long version)
    {
        this.version = version;
        return this;
    }

    public long lastIntegratedRemoteVersion()
    {
        return lastIntegratedRemoteVersion;
    }

    public Changeset setLastIntegratedRemoteVersion(final long lastIntegratedRemoteVersion)
    {
        this.lastIntegratedRemoteVersion = lastIntegratedRemoteVersion;
        return this;
    }

    public long originTimestamp()
    {
        return originTimestamp;
    }

    public Changeset setOriginTimestamp(final long originTimestamp)
    {
        this.originTimestamp = originTimestamp;
        return this;
    }

    /** @return the author's file ident, 0 for local origin. */
    public long originFileIdent()
    {
        return originFileIdent;
    }

    public Changeset setOriginFileIdent(final long originFileIdent)
    {
        this.originFileIdent = originFileIdent;
        return this;
    }

    /** @return strings interned after the last instruction of the source bytes (layout hint, usually empty). */
    public List<String> trailingStrings()
    {
        return Arrays.asList(trailingStrings.clone());
    }

    public void setTrailingStrings(final List<String> strings)
    {
        trailingStrings = strings.toArray(new String[0]);
    }

    String[] trailingStringsArray()
    {
        return trailingStrings;
    }

    /** @return a deep copy: instructions are copied, so editing the copy leaves this changeset untouched. */
    public Changeset copy()
    {
        final Changeset c = new Changeset(version, lastIntegratedRemoteVersion, originTimestamp, originFileIdent);
        c.instructions.ensureCapacity(instructions.size());
        for (final Instruction i : instructions)
        {
            c.instructions.add(i.copy());
        }
        c.trailingStrings = trailingStrings;
        return c;
    }

    /** @return a copy with the same metadata and no instructions. */
    public Changeset copyHeader()
    {
        return new Changeset(version, lastIntegratedRemoteVersion, originTimestamp, originFileIdent);
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof Changeset))
        {
            return false;
        }
        final Changeset c = (Changeset)o;
        return version == c.version && lastIntegratedRemoteVersion == c.lastIntegratedRemoteVersion &&
            originTimestamp == c.originTimestamp && originFileIdent == c.originFileIdent &&
            instructions.equals(c.instructions);
    }

    @Override
    public int hashCode()
    {
        int h = Long.hashCode(version);
        h = 31 * h + Long.hashCode(lastIntegratedRemoteVersion);
        h = 31 * h + Long.hashCode(originTimestamp);
        h = 31 * h + Long.hashCode(originFileIdent);
        return 31 * h + instructions.hashCode();
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("Changeset{version=").append(version)
            .append(", base=").append(lastIntegratedRemoteVersion)
            .append(", origin=").append(originFileIdent).append('@').append(originTimestamp).append('}');
        for (final Instruction i : instructions)
        {
            sb.append("\n  ").append(i);
        }
        return sb.toString();
    }
}
