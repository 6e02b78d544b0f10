package dev.outpost.ot.transform;

import java.util.List;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.ot.model.Changeset;

/**
 * Outcome of {@link Transformer#merge}: either both transformed lists, or a failure carrying the protocol error it
 * maps to ({@link ProtocolErrorCode#BAD_CHANGESET}) and realm-core's style of message ("Schema mismatch: ...",
 * "Merge error: ..."). A failure never carries partial output. Immutable once returned; owned by the caller.
 */
public final class MergeResult
{
    private final List<Changeset> theirs;
    private final List<Changeset> ours;
    private final boolean[] oursChanged;
    private final String failure;

    private MergeResult(
        final List<Changeset> theirs, final List<Changeset> ours, final boolean[] oursChanged, final String failure)
    {
        this.theirs = theirs;
        this.ours = ours;
        this.oursChanged = oursChanged;
        this.failure = failure;
    }

    static MergeResult success(final List<Changeset> theirs, final List<Changeset> ours, final boolean[] oursChanged)
    {
        return new MergeResult(List.copyOf(theirs), List.copyOf(ours), oursChanged, null);
    }

    static MergeResult failure(final String message)
    {
        return new MergeResult(List.of(), List.of(), new boolean[0], message);
    }

    public boolean isSuccess()
    {
        return failure == null;
    }

    /** @return null on success, else {@link ProtocolErrorCode#BAD_CHANGESET}. */
    public ProtocolErrorCode errorCode()
    {
        return failure == null ? null : ProtocolErrorCode.BAD_CHANGESET;
    }

    /** @return the failure message, or null on success. */
    public String message()
    {
        return failure;
    }

    /**
     * @return the incoming changesets transformed against ours, in input order, metadata unchanged: apply these
     * (the server also appends them to its history). Empty on failure.
     */
    public List<Changeset> theirs()
    {
        return theirs;
    }

    /**
     * @return our changesets transformed against the incoming ones, in input order: the new reciprocal
     * transforms to store for this peer. Empty on failure.
     */
    public List<Changeset> ours()
    {
        return ours;
    }

    /** @return true if our changeset {@code i} differs from the input, i.e. its reciprocal must be (re)stored. */
    public boolean oursChanged(final int i)
    {
        return oursChanged[i];
    }

    /** @return true if any of our changesets changed (a client must then apply all incoming changesets at once). */
    public boolean anyOursChanged()
    {
        for (final boolean b : oursChanged)
        {
            if (b)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString()
    {
        return failure == null ? "MergeResult{theirs=" + theirs + ", ours=" + ours + "}" : "MergeResult{failed: " + failure + "}";
    }
}
