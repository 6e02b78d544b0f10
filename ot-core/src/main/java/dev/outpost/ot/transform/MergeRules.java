package dev.outpost.ot.transform;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddColumn;
import dev.outpost.ot.model.AddInteger;
import dev.outpost.ot.model.AddTable;
import dev.outpost.ot.model.ArrayErase;
import dev.outpost.ot.model.ArrayInsert;
import dev.outpost.ot.model.ArrayMove;
import dev.outpost.ot.model.Clear;
import dev.outpost.ot.model.EraseColumn;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;
import dev.outpost.ot.model.Path;
import dev.outpost.ot.model.PathElement;
import dev.outpost.ot.model.PathInstruction;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.SetErase;
import dev.outpost.ot.model.SetInsert;
import dev.outpost.ot.model.Update;

/**
 * The merge rules of realm-core's {@code transform.cpp}, one per unordered instruction-type pair (105) plus one
 * nested rule per outer type. Pair rules are written with the left type tag >= the right one; {@link #pair} swaps
 * operands as needed. Indices and {@code prior_size} are uint32 and wrap like realm's. Stateless.
 */
final class MergeRules
{
    private static final long U32 = 0xFFFF_FFFFL;

    private MergeRules()
    {
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers: realm's same_* / is_prefix_of family. Strings compare by content.

    static long inc(final long v)
    {
        return (v + 1) & U32;
    }

    static long dec(final long v)
    {
        return (v - 1) & U32;
    }

    private static boolean sameTable(final Instruction a, final Instruction b)
    {
        return a.table().equals(b.table());
    }

    private static boolean sameObject(final ObjectInstruction a, final ObjectInstruction b)
    {
        return sameTable(a, b) && a.object().equals(b.object());
    }

    private static boolean sameField(final PathInstruction a, final PathInstruction b)
    {
        return sameObject(a, b) && a.field().equals(b.field());
    }

    private static boolean samePath(final PathInstruction a, final PathInstruction b)
    {
        return sameField(a, b) && a.path().equals(b.path());
    }

    /** Same field and path, ignoring the last path element (paths of equal length). */
    private static boolean sameContainer(final PathInstruction a, final PathInstruction b)
    {
        if (!sameField(a, b))
        {
            return false;
        }
        final Path pa = a.path();
        final Path pb = b.path();
        if (pa.size() != pb.size())
        {
            return false;
        }
        for (int i = 0; i < pa.size() - 1; i++)
        {
            if (!pa.get(i).equals(pb.get(i)))
            {
                return false;
            }
        }
        return true;
    }

    /** realm's same_column: a column instruction vs a column or path instruction (never an object instruction). */
    private static boolean sameColumn(final String table, final String field, final Instruction other)
    {
        if (!table.equals(other.table()))
        {
            return false;
        }
        if (other instanceof PathInstruction)
        {
            return field.equals(((PathInstruction)other).field());
        }
        if (other instanceof AddColumn)
        {
            return field.equals(((AddColumn)other).field());
        }
        if (other instanceof EraseColumn)
        {
            return field.equals(((EraseColumn)other).field());
        }
        return false;
    }

    /**
     * @return the element of inner's path right after outer's path, if outer's path is a strict prefix of inner's
     * (same field); else null.
     */
    private static PathElement prefixOf(final PathInstruction outer, final Instruction inner)
    {
        if (!(inner instanceof PathInstruction))
        {
            return null;
        }
        final PathInstruction in = (PathInstruction)inner;
        final Path po = outer.path();
        final Path pi = in.path();
        if (po.size() >= pi.size() || !sameField(outer, in))
        {
            return null;
        }
        for (int i = 0; i < po.size(); i++)
        {
            if (!po.get(i).equals(pi.get(i)))
            {
                return null;
            }
        }
        return pi.get(po.size());
    }

    /** Like {@link #prefixOf} but ignoring outer's last element (an index): inner is inside a sibling element. */
    private static boolean containerPrefixOf(final PathInstruction outer, final Instruction inner)
    {
        if (!(inner instanceof PathInstruction))
        {
            return false;
        }
        final PathInstruction in = (PathInstruction)inner;
        final Path po = outer.path();
        final Path pi = in.path();
        if (po.isEmpty() || po.size() >= pi.size() || !sameField(outer, in))
        {
            return false;
        }
        for (int i = 0; i < po.size() - 1; i++)
        {
            if (!po.get(i).equals(pi.get(i)))
            {
                return false;
            }
        }
        return true;
    }

    /** @return the position in inner's path matching outer's last (index) element, checked to be an index. */
    private static int correspondingIndex(final PathInstruction outer, final PathInstruction inner)
    {
        final int at = outer.path().size() - 1;
        if (!inner.path().isIndex(at))
        {
            throw new MergeFailure("Inconsistent paths (instruction target: " + inner + ")");
        }
        return at;
    }

    private static MergeFailure bad(final Instruction target, final String message)
    {
        return new MergeFailure(message + " (instruction target: " + target + ")");
    }

    private static void requireArrayUpdate(final Update u)
    {
        if (!u.isArrayUpdate())
        {
            throw bad(u, "Merge error: right.is_array_update()");
        }
    }

    private static void check(final boolean condition, final Instruction target, final String what)
    {
        if (!condition)
        {
            throw bad(target, "Merge error: " + what);
        }
    }

    /** realm's merge_get_vs_move: where index {@code get} ends up after moving {@code from} to {@code to}. */
    private static long getVsMove(final long get, final long from, final long to)
    {
        if (get == from)
        {
            return to;
        }
        long g = get;
        if (g > from)
        {
            g = dec(g);
        }
        if (g >= to)
        {
            g = inc(g);
        }
        return g;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Nested rules: outer has the strictly shorter path.

    static void nested(final Instruction outer, final Side outerSide, final Instruction inner, final Side innerSide)
    {
        switch (outer.type())
        {
            case Instr.ERASE_TABLE:
                if (sameTable(outer, inner))
                {
                    innerSide.discard();
                }
                return;
            case Instr.ERASE_OBJECT:
                // realm's is_prefix_of(ObjectInstruction, ...): schema instructions never nest in an object.
                if (inner instanceof PathInstruction && sameObject((ObjectInstruction)outer, (ObjectInstruction)inner))
                {
                    innerSide.discard(); // erase always wins
                }
                return;
            case Instr.UPDATE:
                nestedUpdate((Update)outer, inner, innerSide);
                return;
            case Instr.ADD_INTEGER:
            case Instr.CLEAR:
                if (prefixOf((PathInstruction)outer, inner) != null)
                {
                    innerSide.discard();
                }
                return;
            case Instr.ARRAY_INSERT:
            {
                final ArrayInsert o = (ArrayInsert)outer;
                if (containerPrefixOf(o, inner))
                {
                    final PathInstruction in = (PathInstruction)inner;
                    final int at = correspondingIndex(o, in);
                    if (in.path().index(at) >= o.index())
                    {
                        in.path().setIndex(at, inc(in.path().index(at)));
                    }
                }
                return;
            }
            case Instr.ARRAY_MOVE:
            {
                final ArrayMove o = (ArrayMove)outer;
                if (containerPrefixOf(o, inner))
                {
                    final PathInstruction in = (PathInstruction)inner;
                    final int at = correspondingIndex(o, in);
                    // Faithful to realm-core 14: merge_get_vs_move is called with the OUTER move's source index as
                    // the index to adjust (and the inner path index as the move source), so the outer instruction
                    // is what changes here. Peers must agree, so we reproduce it.
                    o.setIndex(getVsMove(o.index(), in.path().index(at), o.ndx2()));
                }
                return;
            }
            case Instr.ARRAY_ERASE:
            {
                final ArrayErase o = (ArrayErase)outer;
                if (prefixOf(o, inner) != null)
                {
                    innerSide.discard(); // the erased element's subtree
                }
                else if (containerPrefixOf(o, inner))
                {
                    final PathInstruction in = (PathInstruction)inner;
                    final int at = correspondingIndex(o, in);
                    if (o.index() < in.path().index(at))
                    {
                        in.path().setIndex(at, dec(in.path().index(at)));
                    }
                }
                return;
            }
            default:
                // AddTable, CreateObject, AddColumn, EraseColumn, SetInsert, SetErase: no nested effect.
        }
    }

    private static void nestedUpdate(final Update outer, final Instruction inner, final Side innerSide)
    {
        final int type = outer.value().type();
        if (type == Instr.TYPE_OBJECT_VALUE)
        {
            return; // creating an embedded object is idempotent and keeps updates inside it
        }
        final PathElement next = prefixOf(outer, inner);
        if (next != null)
        {
            if (type == Instr.TYPE_LIST && next.isIndex() || type == Instr.TYPE_DICTIONARY && !next.isIndex())
            {
                return; // a collection in Mixed: operations on its elements survive
            }
            innerSide.discard();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Pair rules.

    /** Applies the pair rule of {@code (a, b)}; operands are put in rule order (higher type tag left). */
    static void pair(final Instruction a, final Side aSide, final Instruction b, final Side bSide)
    {
        if (a.type() >= b.type())
        {
            rule(a, aSide, b, bSide);
        }
        else
        {
            rule(b, bSide, a, aSide);
        }
    }

    private static void rule(final Instruction left, final Side ls, final Instruction right, final Side rs)
    {
        switch (left.type())
        {
            case Instr.ADD_TABLE:
                addTableVsAddTable((AddTable)left, ls, (AddTable)right, rs);
                return;
            case Instr.ERASE_TABLE:
                if (sameTable(left, right))
                {
                    if (right.type() == Instr.ADD_TABLE)
                    {
                        rs.discard(); // EraseTable wins over AddTable
                    }
                    else
                    {
                        ls.discard(); // EraseTable vs EraseTable: both gone
                        rs.discard();
                    }
                }
                return;
            case Instr.CREATE_OBJECT:
                return; // idempotent vs CreateObject; nothing vs schema (nested rules handle EraseTable)
            case Instr.ERASE_OBJECT:
                eraseObject((ObjectInstruction)left, ls, right, rs);
                return;
            case Instr.UPDATE:
                if (right.type() == Instr.UPDATE)
                {
                    updateVsUpdate((Update)left, ls, (Update)right, rs);
                }
                return;
            case Instr.ADD_INTEGER:
                if (right.type() == Instr.UPDATE)
                {
                    addIntegerVsUpdate((AddInteger)left, ls, (Update)right, rs);
                }
                return;
            case Instr.ADD_COLUMN:
                addColumn((AddColumn)left, ls, right, rs);
                return;
            case Instr.ERASE_COLUMN:
                eraseColumn((EraseColumn)left, ls, right, rs);
                return;
            case Instr.ARRAY_INSERT:
                arrayInsert((ArrayInsert)left, ls, right, rs);
                return;
            case Instr.ARRAY_MOVE:
                arrayMove((ArrayMove)left, ls, right, rs);
                return;
            case Instr.ARRAY_ERASE:
                arrayErase((ArrayErase)left, ls, right, rs);
                return;
            case Instr.CLEAR:
                clear((Clear)left, ls, right, rs);
                return;
            case Instr.SET_INSERT:
            case Instr.SET_ERASE:
                setOperation((PathInstruction)left, ls, right, rs);
                return;
            default:
                throw new MergeFailure("Unknown instruction type " + left.type());
        }
    }

    private static void addTableVsAddTable(final AddTable left, final Side ls, final AddTable right, final Side rs)
    {
        if (!sameTable(left, right))
        {
            return;
        }
        final String name = left.table();
        if (!left.isEmbedded())
        {
            if (right.isEmbedded())
            {
                throw new MergeFailure("Schema mismatch: '" + name + "' has a primary key on one side, but not on the other.");
            }
            if (!left.pkField().equals(right.pkField()))
            {
                throw new MergeFailure("Schema mismatch: '" + name + "' has primary key '" + left.pkField() +
                    "' on one side, but primary key '" + right.pkField() + "' on the other.");
            }
            if (left.pkType() != right.pkType())
            {
                throw new MergeFailure("Schema mismatch: '" + name + "' has primary key '" + left.pkField() +
                    "', which is of type " + left.pkType() + " on one side and type " + right.pkType() + " on the other.");
            }
            if (left.pkNullable() != right.pkNullable())
            {
                throw new MergeFailure("Schema mismatch: '" + name + "' has primary key '" + left.pkField() +
                    "', which is nullable on one side, but not the other.");
            }
            if ((left.tableType() == Instr.TABLE_TOP_LEVEL_ASYMMETRIC) !=
                (right.tableType() == Instr.TABLE_TOP_LEVEL_ASYMMETRIC))
            {
                throw new MergeFailure("Schema mismatch: '" + name + "' is asymmetric on one side, but not on the other.");
            }
        }
        else if (!right.isEmbedded())
        {
            throw new MergeFailure("Schema mismatch: '" + name + "' is an embedded table on one side, but not the other.");
        }
        ls.discard();
        rs.discard();
    }

    private static void eraseObject(final ObjectInstruction left, final Side ls, final Instruction right, final Side rs)
    {
        if (right.type() == Instr.CREATE_OBJECT)
        {
            if (sameObject(left, (ObjectInstruction)right))
            {
                rs.discard(); // erase always wins over create
            }
        }
        else if (right.type() == Instr.ERASE_OBJECT)
        {
            if (sameObject(left, (ObjectInstruction)right))
            {
                // Keep the most recent erase, so old erases cannot trump a later erase-create pair.
                if (rs.before(ls))
                {
                    rs.discard();
                }
                else
                {
                    ls.discard();
                }
            }
        }
    }

    private static void updateVsUpdate(final Update left, final Side ls, final Update right, final Side rs)
    {
        if (!samePath(left, right))
        {
            return;
        }
        boolean leftDefault = false;
        boolean rightDefault = false;
        if (left.isArrayUpdate() != right.isArrayUpdate())
        {
            throw bad(left, "Merge error: left.is_array_update() == right.is_array_update()");
        }
        if (!left.isArrayUpdate())
        {
            leftDefault = left.isDefault();
            rightDefault = right.isDefault();
        }
        else if (left.priorSize() != right.priorSize())
        {
            throw bad(left, "Merge error: left.prior_size == right.prior_size");
        }
        final int lt = left.value().type();
        final int rt = right.value().type();
        if (lt != rt)
        {
            // Creating an embedded object loses to any other value.
            if (lt == Instr.TYPE_OBJECT_VALUE)
            {
                ls.discard();
                return;
            }
            if (rt == Instr.TYPE_OBJECT_VALUE)
            {
                rs.discard();
                return;
            }
        }
        if (lt == rt && (lt == Instr.TYPE_LIST || lt == Instr.TYPE_DICTIONARY))
        {
            return; // both create the same collection type: idempotent, both kept
        }
        if (leftDefault == rightDefault)
        {
            if (ls.before(rs))
            {
                ls.discard();
            }
            else
            {
                rs.discard();
            }
        }
        else if (leftDefault)
        {
            ls.discard();
        }
        else
        {
            rs.discard();
        }
    }

    private static void addIntegerVsUpdate(final AddInteger left, final Side ls, final Update right, final Side rs)
    {
        if (!samePath(left, right))
        {
            return;
        }
        final boolean rightDefault = !right.isArrayUpdate() && right.isDefault();
        if (rs.before(ls) || rightDefault)
        {
            final Payload value = right.value();
            if (value.isNull())
            {
                return; // both kept: a later Update(int) that came before the add still sees it
            }
            if (value.type() != Instr.TYPE_INT)
            {
                ls.discard();
                return;
            }
            right.setValue(Payload.ofInt(value.intValue() + left.value())); // wrapping add
        }
        else
        {
            ls.discard();
        }
    }

    private static void addColumn(final AddColumn left, final Side ls, final Instruction right, final Side rs)
    {
        if (right.type() == Instr.ERASE_TABLE)
        {
            if (left.valueType() == Instr.TYPE_LINK && left.linkTargetTable().equals(right.table()))
            {
                // A link column to an erased table: the erasing side also erases the column.
                rs.prepend(new EraseColumn(left.table(), left.field()));
                ls.discard();
            }
        }
        else if (right.type() == Instr.ADD_COLUMN)
        {
            final AddColumn r = (AddColumn)right;
            if (!sameColumn(left.table(), left.field(), r))
            {
                return;
            }
            final String where = "Property '" + left.field() + "' in class '" + left.table() + "'";
            if (left.valueType() != r.valueType())
            {
                throw new MergeFailure("Schema mismatch: " + where + " is of type " + left.valueType() +
                    " on one side and type " + r.valueType() + " on the other.");
            }
            if (left.nullable() != r.nullable())
            {
                throw new MergeFailure("Schema mismatch: " + where + " is nullable on one side and not on the other.");
            }
            if (left.collectionType() != r.collectionType())
            {
                throw new MergeFailure("Schema mismatch: " + where + " is a " + collectionName(left.collectionType()) +
                    " on one side, and a " + collectionName(r.collectionType()) + " on the other.");
            }
            if (left.valueType() == Instr.TYPE_LINK && !left.linkTargetTable().equals(r.linkTargetTable()))
            {
                throw new MergeFailure("Schema mismatch: Link " + where.substring(0, 1).toLowerCase() +
                    where.substring(1) + " points to class '" + left.linkTargetTable() + "' on one side and to '" +
                    r.linkTargetTable() + "' on the other.");
            }
            ls.discard();
            rs.discard();
        }
    }

    private static String collectionName(final int collectionType)
    {
        switch (collectionType)
        {
            case Instr.COLLECTION_SINGLE:
                return "single value";
            case Instr.COLLECTION_LIST:
                return "list";
            case Instr.COLLECTION_DICTIONARY:
                return "dictionary";
            default:
                return "set";
        }
    }

    private static void eraseColumn(final EraseColumn left, final Side ls, final Instruction right, final Side rs)
    {
        switch (right.type())
        {
            case Instr.UPDATE:
            case Instr.ADD_COLUMN:
                if (sameColumn(left.table(), left.field(), right))
                {
                    rs.discard(); // EraseColumn wins
                }
                return;
            case Instr.ERASE_COLUMN:
                if (sameColumn(left.table(), left.field(), right))
                {
                    ls.discard();
                    rs.discard();
                }
                return;
            default:
                // vs AddTable, EraseTable (nested), objects, AddInteger: no effect in realm-core 14.
        }
    }

    private static void arrayInsert(final ArrayInsert left, final Side ls, final Instruction right, final Side rs)
    {
        if (right.type() == Instr.UPDATE)
        {
            final Update r = (Update)right;
            if (!sameContainer(left, r))
            {
                return;
            }
            requireArrayUpdate(r);
            check(left.priorSize() == r.priorSize(), left, "left.prior_size == right.prior_size");
            check(left.index() <= left.priorSize(), left, "left.index() <= left.prior_size");
            check(r.index() < r.priorSize(), r, "right.index() < right.prior_size");
            r.setPriorSize(inc(r.priorSize()));
            if (r.index() >= left.index())
            {
                r.setIndex(inc(r.index()));
            }
        }
        else if (right.type() == Instr.ARRAY_INSERT)
        {
            final ArrayInsert r = (ArrayInsert)right;
            if (!sameContainer(left, r))
            {
                return;
            }
            check(left.priorSize() == r.priorSize(), r, "left.prior_size == right.prior_size");
            left.setPriorSize(inc(left.priorSize()));
            r.setPriorSize(inc(r.priorSize()));
            if (left.index() > r.index())
            {
                left.setIndex(inc(left.index()));
            }
            else if (left.index() < r.index())
            {
                r.setIndex(inc(r.index()));
            }
            else if (ls.before(rs))
            {
                r.setIndex(inc(r.index())); // same position: the earlier insert's element goes first
            }
            else
            {
                left.setIndex(inc(left.index()));
            }
        }
    }

    private static void arrayMove(final ArrayMove left, final Side ls, final Instruction right, final Side rs)
    {
        switch (right.type())
        {
            case Instr.UPDATE:
            {
                final Update r = (Update)right;
                if (sameContainer(left, r))
                {
                    requireArrayUpdate(r);
                    check(left.index() < left.priorSize(), left, "left.index() < left.prior_size");
                    check(r.index() < r.priorSize(), r, "right.index() < right.prior_size");
                    r.setIndex(getVsMove(r.index(), left.index(), left.ndx2()));
                }
                return;
            }
            case Instr.ARRAY_INSERT:
                moveVsInsert(left, ls, (ArrayInsert)right, rs);
                return;
            case Instr.ARRAY_MOVE:
                moveVsMove(left, ls, (ArrayMove)right, rs);
                return;
            default:
        }
    }

    private static void moveVsInsert(final ArrayMove left, final Side ls, final ArrayInsert right, final Side rs)
    {
        if (!sameContainer(left, right))
        {
            return;
        }
        left.setPriorSize(inc(left.priorSize()));
        if (right.index() > left.index())
        {
            right.setIndex(dec(right.index()));
        }
        else
        {
            left.setIndex(inc(left.index()));
        }
        if (right.index() < left.ndx2())
        {
            left.setNdx2(inc(left.ndx2()));
        }
        else if (right.index() > left.ndx2())
        {
            right.setIndex(inc(right.index()));
        }
        else if (ls.before(rs))
        {
            left.setNdx2(inc(left.ndx2()));
        }
        else
        {
            right.setIndex(inc(right.index()));
        }
    }

    private static void moveVsMove(final ArrayMove left, final Side ls, final ArrayMove right, final Side rs)
    {
        if (!sameContainer(left, right))
        {
            return;
        }
        check(left.priorSize() == right.priorSize(), left, "left.prior_size == right.prior_size");
        check(left.index() < left.priorSize(), left, "left.index() < left.prior_size");
        check(right.index() < right.priorSize(), right, "right.index() < right.prior_size");
        check(left.ndx2() < left.priorSize(), left, "left.ndx_2 < left.prior_size");
        check(right.ndx2() < right.priorSize(), right, "right.ndx_2 < right.prior_size");

        if (left.index() < right.index())
        {
            right.setIndex(dec(right.index()));
        }
        else if (left.index() > right.index())
        {
            left.setIndex(dec(left.index()));
        }
        else
        {
            // Both move the same element: the later move wins.
            if (ls.before(rs))
            {
                right.setIndex(left.ndx2());
                ls.discard();
                if (right.index() == right.ndx2())
                {
                    rs.discard();
                }
            }
            else
            {
                left.setIndex(right.ndx2());
                if (left.index() == left.ndx2())
                {
                    ls.discard();
                }
                rs.discard();
            }
            return;
        }

        if (left.ndx2() > right.index())
        {
            left.setNdx2(dec(left.ndx2()));
        }
        else
        {
            right.setIndex(inc(right.index()));
        }

        if (left.index() < right.ndx2())
        {
            right.setNdx2(dec(right.ndx2()));
        }
        else
        {
            left.setIndex(inc(left.index()));
        }

        if (left.ndx2() < right.ndx2())
        {
            right.setNdx2(inc(right.ndx2()));
        }
        else if (left.ndx2() > right.ndx2())
        {
            left.setNdx2(inc(left.ndx2()));
        }
        else if (ls.before(rs))
        {
            right.setNdx2(inc(right.ndx2()));
        }
        else
        {
            left.setNdx2(inc(left.ndx2()));
        }

        if (left.index() == left.ndx2())
        {
            ls.discard();
        }
        if (right.index() == right.ndx2())
        {
            rs.discard();
        }
    }

    private static void arrayErase(final ArrayErase left, final Side ls, final Instruction right, final Side rs)
    {
        switch (right.type())
        {
            case Instr.UPDATE:
            {
                final Update r = (Update)right;
                if (!sameContainer(left, r))
                {
                    return;
                }
                requireArrayUpdate(r);
                check(left.priorSize() == r.priorSize(), left, "left.prior_size == right.prior_size");
                check(left.index() < left.priorSize(), left, "left.index() < left.prior_size");
                check(r.index() < r.priorSize(), r, "right.index() < right.prior_size");
                r.setPriorSize(dec(r.priorSize()));
                if (left.index() == r.index())
                {
                    rs.discard(); // update of a removed element
                }
                else if (r.index() > left.index())
                {
                    r.setIndex(dec(r.index()));
                }
                return;
            }
            case Instr.ARRAY_INSERT:
            {
                final ArrayInsert r = (ArrayInsert)right;
                if (!sameContainer(left, r))
                {
                    return;
                }
                check(left.priorSize() == r.priorSize(), left, "left.prior_size == right.prior_size");
                check(left.index() < left.priorSize(), left, "left.index() < left.prior_size");
                check(r.index() <= r.priorSize(), left, "right.index() <= right.prior_size");
                left.setPriorSize(inc(left.priorSize()));
                r.setPriorSize(dec(r.priorSize()));
                if (r.index() <= left.index())
                {
                    left.setIndex(inc(left.index()));
                }
                else
                {
                    r.setIndex(dec(r.index()));
                }
                return;
            }
            case Instr.ARRAY_MOVE:
                eraseVsMove(left, ls, (ArrayMove)right, rs);
                return;
            case Instr.ARRAY_ERASE:
            {
                final ArrayErase r = (ArrayErase)right;
                if (!sameContainer(left, r))
                {
                    return;
                }
                check(left.priorSize() == r.priorSize(), left, "left.prior_size == right.prior_size");
                check(left.index() < left.priorSize(), left, "left.index() < left.prior_size");
                check(r.index() < r.priorSize(), r, "right.index() < right.prior_size");
                left.setPriorSize(dec(left.priorSize()));
                r.setPriorSize(dec(r.priorSize()));
                if (left.index() > r.index())
                {
                    left.setIndex(dec(left.index()));
                }
                else if (left.index() < r.index())
                {
                    r.setIndex(dec(r.index()));
                }
                else
                {
                    ls.discard(); // both removed the same element
                    rs.discard();
                }
                return;
            }
            default:
        }
    }

    private static void eraseVsMove(final ArrayErase left, final Side ls, final ArrayMove right, final Side rs)
    {
        if (!sameContainer(left, right))
        {
            return;
        }
        check(left.priorSize() == right.priorSize(), left, "left.prior_size == right.prior_size");
        check(left.index() < left.priorSize(), left, "left.index() < left.prior_size");
        check(right.index() < right.priorSize(), right, "right.index() < right.prior_size");
        right.setPriorSize(dec(right.priorSize()));
        if (left.index() == right.index())
        {
            // Removal of a moved element: erase it where it went, drop the move.
            left.setIndex(right.ndx2());
            rs.discard();
            return;
        }
        if (left.index() > right.index())
        {
            left.setIndex(dec(left.index()));
        }
        else
        {
            right.setIndex(dec(right.index()));
        }
        if (left.index() >= right.ndx2())
        {
            left.setIndex(inc(left.index()));
        }
        else
        {
            right.setNdx2(dec(right.ndx2()));
        }
        if (right.index() == right.ndx2())
        {
            rs.discard();
        }
    }

    private static void clear(final Clear left, final Side ls, final Instruction right, final Side rs)
    {
        switch (right.type())
        {
            case Instr.UPDATE:
            {
                final Update r = (Update)right;
                if (!samePath(left, r))
                {
                    return;
                }
                final int vt = r.value().type();
                if (left.collectionType() == Instr.COLLECTION_LIST && vt == Instr.TYPE_LIST ||
                    left.collectionType() == Instr.COLLECTION_DICTIONARY && vt == Instr.TYPE_DICTIONARY)
                {
                    return; // both kept
                }
                lastWriterWins(ls, rs);
                return;
            }
            case Instr.ADD_INTEGER:
                if (samePath(left, (PathInstruction)right))
                {
                    rs.discard();
                }
                return;
            case Instr.CLEAR:
                if (samePath(left, (PathInstruction)right))
                {
                    lastWriterWins(ls, rs);
                }
                return;
            default:
                // Array instructions and schema: nested rules.
        }
    }

    private static void lastWriterWins(final Side ls, final Side rs)
    {
        if (ls.before(rs))
        {
            ls.discard();
        }
        else
        {
            rs.discard();
        }
    }

    private static void setOperation(final PathInstruction left, final Side ls, final Instruction right, final Side rs)
    {
        switch (right.type())
        {
            case Instr.CLEAR:
                if (samePath(left, (PathInstruction)right))
                {
                    ls.discard(); // Clear always wins
                }
                return;
            case Instr.SET_INSERT:
            case Instr.SET_ERASE:
            {
                final PathInstruction r = (PathInstruction)right;
                // realm-core compares SetErase/SetErase payloads with Payload::operator== (string buffer ranges),
                // the others by content; erasing a value twice leaves the same set, so content equality is used
                // for all three (state-equivalent).
                if (samePath(left, r) && value(left).sameValue(value(r)))
                {
                    lastWriterWins(ls, rs);
                }
                return;
            }
            default:
        }
    }

    private static Payload value(final PathInstruction i)
    {
        return i instanceof SetInsert ? ((SetInsert)i).value() : ((SetErase)i).value();
    }
}
