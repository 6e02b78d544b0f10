package dev.outpost.ot.transform;

import dev.outpost.ot.model.Instruction;

/** One side of a pair being merged: its discriminant and what a rule may do to its current instruction. */
abstract class Side
{
    long timestamp;
    long fileIdent;
    boolean discarded;

    /** realm-core's Discriminant order: timestamp first, then file ident (both unsigned). */
    final boolean before(final Side other)
    {
        final int c = Long.compareUnsigned(timestamp, other.timestamp);
        return c == 0 ? Long.compareUnsigned(fileIdent, other.fileIdent) < 0 : c < 0;
    }

    /** Turns the current instruction into a tombstone on this side. */
    abstract void discard();

    /** Inserts {@code instruction} before the current one on this side. */
    abstract void prepend(Instruction instruction);
}
