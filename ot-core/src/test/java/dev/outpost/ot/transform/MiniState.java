package dev.outpost.ot.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddInteger;
import dev.outpost.ot.model.ArrayErase;
import dev.outpost.ot.model.ArrayInsert;
import dev.outpost.ot.model.ArrayMove;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Clear;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;
import dev.outpost.ot.model.PathInstruction;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.SetErase;
import dev.outpost.ot.model.SetInsert;
import dev.outpost.ot.model.Update;

/**
 * A test-only applier for the flat subset the workload generator produces (objects of one table with scalar
 * fields, an int list "list" and an int set "set"), as strict as realm's InstructionApplier for those: a path
 * instruction on a missing object, a list index out of range, a prior_size that is not the list size, or a move to
 * the same place is an error.
 */
final class MiniState
{
    /** key -> field -> value (Long/String scalars, List<Long> list, TreeSet<Long> set). */
    final TreeMap<Long, TreeMap<String, Object>> objects = new TreeMap<>();

    MiniState copy()
    {
        final MiniState s = new MiniState();
        for (final Map.Entry<Long, TreeMap<String, Object>> e : objects.entrySet())
        {
            final TreeMap<String, Object> fields = new TreeMap<>();
            for (final Map.Entry<String, Object> f : e.getValue().entrySet())
            {
                final Object v = f.getValue();
                fields.put(f.getKey(), v instanceof List ? new ArrayList<>((List<?>)v) :
                    v instanceof TreeSet ? new TreeSet<>((TreeSet<?>)v) : v);
            }
            s.objects.put(e.getKey(), fields);
        }
        return s;
    }

    static TreeMap<String, Object> newObject()
    {
        final TreeMap<String, Object> o = new TreeMap<>();
        o.put("list", new ArrayList<Long>());
        o.put("set", new TreeSet<Long>());
        o.put("n", 0L);
        return o;
    }

    void apply(final Changeset c)
    {
        for (final Instruction i : c.instructions())
        {
            apply(i);
        }
    }

    @SuppressWarnings("unchecked")
    void apply(final Instruction i)
    {
        final long key = ((ObjectInstruction)i).object().intValue();
        switch (i.type())
        {
            case Instr.CREATE_OBJECT:
                objects.putIfAbsent(key, newObject());
                return;
            case Instr.ERASE_OBJECT:
                objects.remove(key);
                return;
            default:
        }
        final TreeMap<String, Object> o = objects.get(key);
        if (o == null)
        {
            throw new IllegalStateException(i.name() + ": No such object " + key);
        }
        final PathInstruction p = (PathInstruction)i;
        final List<Long> list = (List<Long>)o.get("list");
        switch (i.type())
        {
            case Instr.UPDATE:
            {
                final Update u = (Update)i;
                if (u.isArrayUpdate())
                {
                    check(u.index() < list.size() && u.priorSize() == list.size(), i);
                    list.set((int)u.index(), u.value().intValue());
                }
                else
                {
                    o.put(p.field(), scalar(u.value()));
                }
                return;
            }
            case Instr.ADD_INTEGER:
            {
                final Object v = o.get(p.field());
                if (v instanceof Long)
                {
                    o.put(p.field(), (Long)v + ((AddInteger)i).value());
                }
                return;
            }
            case Instr.ARRAY_INSERT:
            {
                final ArrayInsert a = (ArrayInsert)i;
                check(a.index() <= a.priorSize() && a.priorSize() == list.size(), i);
                list.add((int)a.index(), a.value().intValue());
                return;
            }
            case Instr.ARRAY_MOVE:
            {
                final ArrayMove m = (ArrayMove)i;
                check(m.index() < list.size() && m.ndx2() < list.size() && m.index() != m.ndx2() &&
                    m.priorSize() == list.size(), i);
                list.add((int)m.ndx2(), list.remove((int)m.index()));
                return;
            }
            case Instr.ARRAY_ERASE:
            {
                final ArrayErase e = (ArrayErase)i;
                check(e.index() < list.size() && e.priorSize() == list.size(), i);
                list.remove((int)e.index());
                return;
            }
            case Instr.CLEAR:
                if (((Clear)i).collectionType() == Instr.COLLECTION_LIST)
                {
                    list.clear();
                }
                else
                {
                    ((TreeSet<Long>)o.get("set")).clear();
                }
                return;
            case Instr.SET_INSERT:
                ((TreeSet<Long>)o.get("set")).add(((SetInsert)i).value().intValue());
                return;
            case Instr.SET_ERASE:
                ((TreeSet<Long>)o.get("set")).remove(((SetErase)i).value().intValue());
                return;
            default:
                throw new IllegalStateException("unsupported " + i);
        }
    }

    private static Object scalar(final Payload v)
    {
        return v.isNull() ? "null" : v.type() == Instr.TYPE_INT ? (Object)v.intValue() : v.toString();
    }

    private static void check(final boolean ok, final Instruction i)
    {
        if (!ok)
        {
            throw new IllegalStateException("bad instruction for state: " + i);
        }
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof MiniState && objects.equals(((MiniState)o).objects);
    }

    @Override
    public int hashCode()
    {
        return objects.hashCode();
    }

    @Override
    public String toString()
    {
        return objects.toString();
    }
}
