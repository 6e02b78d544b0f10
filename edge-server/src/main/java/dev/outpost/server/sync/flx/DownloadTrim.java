package dev.outpost.server.sync.flx;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;

import java.util.Set;

/** FLX downloads: the part of a history changeset a subscription sees. Stateless. */
public final class DownloadTrim
{
    private DownloadTrim()
    {
    }

    /**
     * Drop the object instructions of classes outside the subscription (schema instructions stay).
     *
     * @param changeset a history changeset.
     * @param classes   the subscribed classes.
     * @return {@code changeset} itself if nothing is dropped, else a new changeset with the rest (possibly empty).
     */
    public static Changeset trim(final Changeset changeset, final Set<String> classes)
    {
        boolean drop = false;
        for (final Instruction i : changeset.instructions())
        {
            if (i instanceof ObjectInstruction && !classes.contains(i.table()))
            {
                drop = true;
                break;
            }
        }
        if (!drop)
        {
            return changeset;
        }
        final Changeset kept = changeset.copyHeader();
        for (final Instruction i : changeset.instructions())
        {
            if (!(i instanceof ObjectInstruction) || classes.contains(i.table()))
            {
                kept.add(i);
            }
        }
        return kept;
    }
}
