package dev.outpost.server.sync.flx;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a snapshot changeset into parts of about {@code limit} encoded bytes, only right before a
 * {@link CreateObject}, so each part is a valid changeset applied after the previous ones (schema in the first).
 * Stateless.
 */
public final class BootstrapSplitter
{
    private BootstrapSplitter()
    {
    }

    public static List<Changeset> split(final Changeset snapshot, final ChangesetWriter writer, final int limit)
    {
        final int bytes = writer.toBytes(snapshot).length;
        final ArrayList<Changeset> parts = new ArrayList<>();
        if (bytes <= limit || snapshot.size() < 2)
        {
            parts.add(snapshot);
            return parts;
        }
        final int perPart = (int)Math.max(1, (long)snapshot.size() * limit / bytes);
        Changeset current = snapshot.copyHeader();
        for (final Instruction i : snapshot.instructions())
        {
            if (i instanceof CreateObject && current.size() >= perPart && hasObjects(current))
            {
                parts.add(current);
                current = snapshot.copyHeader();
            }
            current.add(i);
        }
        parts.add(current);
        return parts;
    }

    private static boolean hasObjects(final Changeset c)
    {
        for (final Instruction i : c.instructions())
        {
            if (i instanceof ObjectInstruction)
            {
                return true;
            }
        }
        return false;
    }
}
