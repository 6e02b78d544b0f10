package dev.outpost.server.sync.flx;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ModelValues;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Snapshot;
import dev.outpost.ot.state.TableData;
import dev.outpost.ot.state.Value;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What FLX views need to follow the data, per server file: for each recent history entry, the objects of
 * <em>watched</em> classes (classes some session subscribed to with a narrow query) it touched, each with its state
 * before and after the writer command that appended it, and the instructions that recreate its after-state. The
 * writer records (it owns the object state and sees every touched object before and after); download builders on any
 * thread read, and decide per session and object whether the instructions pass, the object enters the view
 * (CreateObject with its full state), leaves it (EraseObject) or is dropped. Cost is proportional to what a changeset
 * touches, never to a view's size.
 * <p>
 * Bounded: a ring of {@link #capacity()} entries (default {@link #CAPACITY}); an entry touching more than {@link #MAX_OBJECTS} watched objects is
 * not annotated. A session that needs an annotation that is not held ({@link #get} returns null) takes the catch-up
 * (a bootstrap at the head at the same query version), never a guessed view. Files with no narrow subscription
 * record nothing. Writer-side methods run on the file's writer; {@link #get} and {@link #watched} on any thread.
 */
public final class ViewLog
{
    /** History entries whose annotations are held, by default (the setting {@code flx.view-log-entries}). */
    public static final int CAPACITY = 4096;
    /** Most watched objects one writer command may touch and still be annotated. */
    public static final int MAX_OBJECTS = 10_000;

    /** One object touched by a writer command: its state before and after it (null: absent), and how to recreate it. */
    public record Change(ObjectData before, ObjectData after, Changeset afterState)
    {
    }

    /** An object touched by one entry: its change, and whether this is the last entry of the command touching it. */
    public record Touch(Change change, boolean last)
    {
    }

    /**
     * The annotation of one history entry.
     *
     * @param version the entry's server version.
     * @param watched the classes watched when it was recorded (objects of other classes are not in {@code touches}).
     * @param touches per touched object of a watched class, its touch.
     */
    public record Entry(long version, Set<String> watched, Map<CompensatingWrites.Rejected, Touch> touches)
    {
        /** @return the touch of an object, or null. */
        public Touch touch(final String table, final PrimaryKey key)
        {
            return touches.get(new CompensatingWrites.Rejected(table, key));
        }
    }

    private final AtomicReferenceArray<Entry> ring;
    private final int capacity;
    private volatile Set<String> watched = Collections.emptySet();

    /** A log of the default {@link #CAPACITY}. */
    public ViewLog()
    {
        this(CAPACITY);
    }

    /** @param capacity history entries whose annotations are held (at least 1). */
    public ViewLog(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
        this.ring = new AtomicReferenceArray<>(capacity);
    }

    /** @return history entries whose annotations are held. */
    public int capacity()
    {
        return capacity;
    }

    /** @return the watched classes (any thread). */
    public Set<String> watched()
    {
        return watched;
    }

    /** Writer: watch the narrow classes of {@code view} too (from the next recorded entry on). */
    public void watch(final FlxView view)
    {
        final Set<String> now = watched;
        if (now.containsAll(view.narrowClasses()))
        {
            return;
        }
        final TreeSet<String> more = new TreeSet<>(now);
        more.addAll(view.narrowClasses());
        watched = Collections.unmodifiableSet(more);
    }

    /** @return the annotation of {@code version}, or null if it is not held (any thread). */
    public Entry get(final long version)
    {
        final Entry e = ring.get(slot(version));
        return e != null && e.version == version ? e : null;
    }

    /** Writer: an entry that touches no object (empty or a server marker). */
    public void recordEmpty(final long version)
    {
        if (!watched.isEmpty())
        {
            ring.set(slot(version), new Entry(version, watched, Collections.emptyMap()));
        }
    }

    /** Writer: forget the annotations above {@code head} (a command that appended them was rolled back). */
    public void forgetAbove(final long head)
    {
        for (int i = 0; i < capacity; i++)
        {
            final Entry e = ring.get(i);
            if (e != null && e.version > head)
            {
                ring.compareAndSet(i, e, null);
            }
        }
    }

    private int slot(final long version)
    {
        return (int)(version % capacity);
    }

    /**
     * Writer, before a command changes the state: copies of the watched objects its changesets touch.
     *
     * @return the copies (null value: the object did not exist), or null if nothing is watched or there are too many.
     */
    public Map<CompensatingWrites.Rejected, ObjectData> before(final ObjectState state,
        final List<Changeset> changesets)
    {
        final Set<String> w = watched;
        if (w.isEmpty())
        {
            return null;
        }
        final Map<CompensatingWrites.Rejected, ObjectData> out = new HashMap<>();
        for (final Changeset cs : changesets)
        {
            for (final Instruction i : cs.instructions())
            {
                if (i instanceof ObjectInstruction o && w.contains(o.table()))
                {
                    final CompensatingWrites.Rejected ref = new CompensatingWrites.Rejected(o.table(), o.object());
                    if (!out.containsKey(ref))
                    {
                        if (out.size() >= MAX_OBJECTS)
                        {
                            return null;
                        }
                        out.put(ref, copy(state, o.table(), o.object()));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Writer, after the command changed the state and appended {@code changesets} at {@code versions}: annotate
     * them. Entries are left unannotated (sessions needing them catch up) if {@code before} is null or misses an
     * object they touch.
     */
    public void record(final ObjectState state, final Map<CompensatingWrites.Rejected, ObjectData> before,
        final long[] versions, final List<Changeset> changesets)
    {
        final Set<String> w = watched;
        if (w.isEmpty() || before == null)
        {
            return;
        }
        final Map<CompensatingWrites.Rejected, Integer> lastIndex = new HashMap<>();
        for (int k = 0; k < changesets.size(); k++)
        {
            for (final Instruction i : changesets.get(k).instructions())
            {
                if (i instanceof ObjectInstruction o && w.contains(o.table()))
                {
                    final CompensatingWrites.Rejected ref = new CompensatingWrites.Rejected(o.table(), o.object());
                    if (!before.containsKey(ref))
                    {
                        return; // watched since the copies were taken, or touched by the merge only: catch up
                    }
                    lastIndex.put(ref, k);
                }
            }
        }
        final Map<CompensatingWrites.Rejected, Change> changes = new HashMap<>();
        for (final CompensatingWrites.Rejected ref : lastIndex.keySet())
        {
            final ObjectData after = copy(state, ref.table(), ref.key());
            Changeset full = null;
            if (after != null)
            {
                final ChangesetBuilder b = new ChangesetBuilder();
                Snapshot.emitObject(state, ref.table(), ModelValues.key(ref.key()), b);
                full = b.changeset();
            }
            changes.put(ref, new Change(before.get(ref), after, full));
        }
        for (int k = 0; k < changesets.size(); k++)
        {
            final Map<CompensatingWrites.Rejected, Touch> touches = new LinkedHashMap<>();
            for (final Instruction i : changesets.get(k).instructions())
            {
                if (i instanceof ObjectInstruction o && w.contains(o.table()))
                {
                    final CompensatingWrites.Rejected ref = new CompensatingWrites.Rejected(o.table(), o.object());
                    if (!touches.containsKey(ref))
                    {
                        touches.put(ref, new Touch(changes.get(ref), lastIndex.get(ref) == k));
                    }
                }
            }
            ring.set(slot(versions[k]), new Entry(versions[k], w, touches));
        }
    }

    private static ObjectData copy(final ObjectState state, final String table, final PrimaryKey key)
    {
        final Value k = ModelValues.key(key);
        final TableData t = state.table(table);
        if (k == null || t == null)
        {
            return null;
        }
        final ObjectData o = t.object(k);
        return o == null ? null : o.copy();
    }
}
