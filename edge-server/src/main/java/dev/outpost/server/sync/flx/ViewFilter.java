package dev.outpost.server.sync.flx;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;
import dev.outpost.ot.query.StateObjectView;

import java.util.HashSet;
import java.util.Set;

/**
 * FLX downloads of a view with narrow queries: the part of one history changeset a session sees, from the entry's
 * {@link ViewLog} annotation. Per object of a narrow class: in the view before and after the writer command, its
 * instructions pass; in neither, they are dropped; entering, the object's full state (CreateObject and its fields)
 * replaces its instructions in the last entry of the command touching it; leaving, an EraseObject does. Objects of
 * whole (TRUEPREDICATE) classes pass, other classes are dropped, schema instructions always pass. Links to objects
 * outside the view pass as they are (realm-core's client resolves them to unresolved links). Stateless; the caller
 * gives a flyweight of its thread.
 */
public final class ViewFilter
{
    /**
     * The result for a session that sees nothing of a changeset: one shared, empty changeset (no allocation per
     * non-matching session). Callers must not modify it.
     */
    public static final Changeset NOTHING = new Changeset();

    private ViewFilter()
    {
    }

    /**
     * @param changeset  a history changeset (not a revert entry).
     * @param view       the session's view.
     * @param annotation the entry's annotation, or null if it is not held.
     * @param object     a flyweight of the calling thread.
     * @return {@code changeset} itself if it passes unchanged, {@link #NOTHING} if nothing of it passes, else a new
     *     changeset; or null if the annotation needed is not held (the session must catch up).
     */
    public static Changeset filter(final Changeset changeset, final FlxView view, final ViewLog.Entry annotation,
        final StateObjectView object)
    {
        Changeset out = null;
        int prefix = -1; // once an instruction is dropped: how many leading instructions passed before it
        Set<CompensatingWrites.Rejected> emitted = null;
        final int n = changeset.size();
        for (int k = 0; k < n; k++)
        {
            final Instruction i = changeset.get(k);
            boolean keep = true;
            Changeset replacement = null;
            Instruction single = null;
            if (i instanceof ObjectInstruction o)
            {
                final String table = o.table();
                if (!view.classes().contains(table))
                {
                    keep = false;
                }
                else
                {
                    if (view.isNarrow(table))
                    {
                        if (annotation == null || !annotation.watched().contains(table))
                        {
                            return null;
                        }
                        final ViewLog.Touch t = annotation.touch(table, o.object());
                        if (t == null)
                        {
                            return null;
                        }
                        final ViewLog.Change c = t.change();
                        final boolean was = c.before() != null && view.matches(table, object.wrap(c.before()));
                        final boolean is = c.after() != null && view.matches(table, object.wrap(c.after()));
                        if (!(was && is))
                        {
                            keep = false;
                            if (was != is && t.last())
                            {
                                if (emitted == null)
                                {
                                    emitted = new HashSet<>();
                                }
                                if (emitted.add(new CompensatingWrites.Rejected(table, o.object())))
                                {
                                    if (is)
                                    {
                                        replacement = c.afterState();
                                    }
                                    else
                                    {
                                        single = new EraseObject(table, o.object());
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if (keep)
            {
                if (prefix >= 0)
                {
                    out = started(out, changeset, prefix);
                    out.add(i);
                }
                continue;
            }
            if (prefix < 0)
            {
                prefix = k;
            }
            if (replacement != null)
            {
                out = started(out, changeset, prefix);
                for (final Instruction r : replacement.instructions())
                {
                    out.add(r);
                }
            }
            if (single != null)
            {
                out = started(out, changeset, prefix);
                out.add(single);
            }
        }
        if (prefix < 0)
        {
            return changeset;
        }
        return out == null ? (prefix == 0 ? NOTHING : started(null, changeset, prefix)) : out;
    }

    /** @return {@code out}, or (if null) a new changeset with the header and first {@code prefix} instructions. */
    private static Changeset started(final Changeset out, final Changeset changeset, final int prefix)
    {
        if (out != null)
        {
            return out;
        }
        final Changeset c = changeset.copyHeader();
        for (int m = 0; m < prefix; m++)
        {
            c.add(changeset.get(m));
        }
        return c;
    }
}
