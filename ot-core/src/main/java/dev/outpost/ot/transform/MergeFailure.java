package dev.outpost.ot.transform;

/** Internal, stackless signal of a bad merge; never escapes {@link Transformer#merge}. */
final class MergeFailure extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    MergeFailure(final String message)
    {
        super(message, null, false, false);
    }
}
