package dev.outpost.ot.model;

import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/** Clear: empties a list, dictionary or set. Not thread-safe. */
public final class Clear extends PathInstruction
{
    private int collectionType;

    public Clear(
        final String table, final PrimaryKey object, final String field, final Path path, final int collectionType)
    {
        super(table, object, field, path);
        this.collectionType = collectionType;
    }

    @Override
    public int type()
    {
        return Instr.CLEAR;
    }
    /** @return {@code Instr.COLLECTION_*} of the cleared collection. */
    public int collectionType()
    {
        return collectionType;
    }

    public void setCollectionType(final int collectionType)
    {
        this.collectionType = collectionType;
    }

    @Override
    public Clear copy()
    {
        return copyBase(new Clear(table(), object(), field(), path().copy(), collectionType));
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!super.equals(o))
        {
            return false;
        }
        final Clear other = (Clear)o;
        return collectionType == other.collectionType;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(super.hashCode(), collectionType);
    }

    @Override
    public String toString()
    {
        return "Clear(" + target() + ", collection=" + collectionType + ")";
    }
}
