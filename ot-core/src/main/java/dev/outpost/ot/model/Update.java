package dev.outpost.ot.model;

import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/** Update: sets a field, a list element or a dictionary entry (payload Erased removes the entry). Not thread-safe. */
public final class Update extends PathInstruction
{
    private Payload value;
    private boolean isDefault;
    private long priorSize;

    public Update(
        final String table, final PrimaryKey object, final String field, final Path path, final Payload value, final boolean isDefault, final long priorSize)
    {
        super(table, object, field, path);
        this.value = Objects.requireNonNull(value);
        this.isDefault = isDefault;
        this.priorSize = priorSize;
    }

    @Override
    public int type()
    {
        return Instr.UPDATE;
    }
    /** Field/dictionary update: {@code isDefault} on the wire, {@code priorSize} -1. */
    public Update(
        final String table, final PrimaryKey object, final String field, final Path path, final Payload value,
        final boolean isDefault)
    {
        this(table, object, field, path, value, isDefault, -1);
    }

    /** @return true if the path ends in a list index (then {@link #priorSize()} is on the wire, else {@link #isDefault()}). */
    public boolean isArrayUpdate()
    {
        return path().endsInIndex();
    }

    /** @return the new value. */
    public Payload value()
    {
        return value;
    }

    public void setValue(final Payload value)
    {
        this.value = value;
    }

    /** @return the is_default flag (field updates only). */
    public boolean isDefault()
    {
        return isDefault;
    }

    public void setIsDefault(final boolean isDefault)
    {
        this.isDefault = isDefault;
    }

    /** @return the list size (array updates only, else -1). */
    public long priorSize()
    {
        return priorSize;
    }

    public void setPriorSize(final long priorSize)
    {
        this.priorSize = priorSize;
    }

    @Override
    public Update copy()
    {
        return copyBase(new Update(table(), object(), field(), path().copy(), value, isDefault, priorSize));
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!super.equals(o))
        {
            return false;
        }
        final Update other = (Update)o;
        return value.equals(other.value) && isDefault == other.isDefault && priorSize == other.priorSize;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(super.hashCode(), value, isDefault, priorSize);
    }

    @Override
    public String toString()
    {
        return "Update(" + target() + " = " + value + (isArrayUpdate() ? ", prior_size=" + priorSize : isDefault ? ", default" : "") + ")";
    }
}
