package dev.outpost.ot.rules;

import java.util.Set;

import dev.outpost.ot.query.ObjectView;
import dev.outpost.ot.query.ValueKind;

/** A node of a compiled filter. Immutable: one tree is shared by every session and thread that uses it. */
abstract sealed class Node permits Node.Const, Node.Junction, Node.Not, Node.FieldTest
{
    abstract boolean evaluate(ObjectView object);

    abstract void appendTo(StringBuilder sb);

    abstract void collectFields(Set<String> into);

    @Override
    public final String toString()
    {
        final StringBuilder sb = new StringBuilder();
        appendTo(sb);
        return sb.toString();
    }

    static Node not(final Node n)
    {
        if (n == Const.TRUE)
        {
            return Const.FALSE;
        }
        if (n == Const.FALSE)
        {
            return Const.TRUE;
        }
        if (n instanceof Not not)
        {
            return not.term;
        }
        return new Not(n);
    }

    /** @return the conjunction ({@code and}) or disjunction of {@code terms}, constants folded. */
    static Node junction(final boolean and, final java.util.List<Node> terms)
    {
        final java.util.ArrayList<Node> kept = new java.util.ArrayList<>();
        for (final Node t : terms)
        {
            if (t == (and ? Const.FALSE : Const.TRUE))
            {
                return t;
            }
            if (t != (and ? Const.TRUE : Const.FALSE))
            {
                kept.add(t);
            }
        }
        if (kept.isEmpty())
        {
            return and ? Const.TRUE : Const.FALSE;
        }
        return kept.size() == 1 ? kept.get(0) : new Junction(and, kept.toArray(new Node[0]));
    }

    /** Matches everything or nothing. */
    static final class Const extends Node
    {
        static final Const TRUE = new Const(true);
        static final Const FALSE = new Const(false);

        final boolean value;

        private Const(final boolean value)
        {
            this.value = value;
        }

        boolean evaluate(final ObjectView object)
        {
            return value;
        }

        void appendTo(final StringBuilder sb)
        {
            sb.append(value ? "{}" : "{\"$nor\":[{}]}");
        }

        void collectFields(final Set<String> into)
        {
        }
    }

    /** {@code $and} / {@code $or}: left to right, stopping at the first decider. */
    static final class Junction extends Node
    {
        private final boolean and;
        private final Node[] terms;

        Junction(final boolean and, final Node[] terms)
        {
            this.and = and;
            this.terms = terms;
        }

        boolean evaluate(final ObjectView object)
        {
            for (final Node t : terms)
            {
                if (t.evaluate(object) != and)
                {
                    return !and;
                }
            }
            return and;
        }

        void appendTo(final StringBuilder sb)
        {
            sb.append(and ? "{\"$and\":[" : "{\"$or\":[");
            for (int i = 0; i < terms.length; i++)
            {
                if (i > 0)
                {
                    sb.append(',');
                }
                terms[i].appendTo(sb);
            }
            sb.append("]}");
        }

        void collectFields(final Set<String> into)
        {
            for (final Node t : terms)
            {
                t.collectFields(into);
            }
        }
    }

    /** {@code $nor}, {@code $not}, {@code $ne}, {@code $nin}: the negation (missing fields match). */
    static final class Not extends Node
    {
        private final Node term;

        Not(final Node term)
        {
            this.term = term;
        }

        boolean evaluate(final ObjectView object)
        {
            return !term.evaluate(object);
        }

        void appendTo(final StringBuilder sb)
        {
            sb.append("{\"$nor\":[");
            term.appendTo(sb);
            sb.append("]}");
        }

        void collectFields(final Set<String> into)
        {
            term.collectFields(into);
        }
    }

    /** The positive operators; the negative ones are {@link Not} of these. */
    enum Op
    {
        EQ("$eq"),
        IN("$in"),
        GT("$gt"),
        GTE("$gte"),
        LT("$lt"),
        LTE("$lte"),
        EXISTS("$exists");

        final String text;

        Op(final String text)
        {
            this.text = text;
        }
    }

    /**
     * One operator on one field, with MongoDB's rules: a list or set field matches if any element matches (or, for
     * {@code $eq}/{@code $in} with an array, if the whole list equals it); {@code null} matches null and missing.
     */
    static final class FieldTest extends Node
    {
        private final String field;
        private final Op op;
        private final Operand[] operands;
        private final boolean missingMatches;
        private final boolean hasArray;

        /**
         * @param operands one operand, or the list of {@code $in}; for {@link Op#EXISTS} one BOOL.
         */
        FieldTest(final String field, final Op op, final Operand[] operands)
        {
            this.field = field;
            this.op = op;
            this.operands = operands;
            boolean missing = false;
            boolean array = false;
            for (final Operand o : operands)
            {
                missing |= switch (op)
                {
                    case EQ, IN, GTE, LTE -> o.kind == Operand.Kind.NULL;
                    case EXISTS -> !o.boolValue;
                    default -> false;
                };
                array |= o.kind == Operand.Kind.ARRAY && (op == Op.EQ || op == Op.IN);
            }
            this.missingMatches = missing;
            this.hasArray = array;
        }

        boolean evaluate(final ObjectView o)
        {
            final int n = o.elementCount(field);
            if (n == ObjectView.ABSENT)
            {
                return missingMatches;
            }
            if (op == Op.EXISTS)
            {
                return !missingMatches;
            }
            if (n == ObjectView.SCALAR)
            {
                return element(o, ObjectView.SCALAR);
            }
            for (int i = 0; i < n; i++)
            {
                if (element(o, i))
                {
                    return true;
                }
            }
            return hasArray && wholeList(o, n);
        }

        private boolean element(final ObjectView o, final int index)
        {
            final ValueKind k = o.kind(field, index);
            switch (op)
            {
                case EQ:
                case IN:
                    for (final Operand lit : operands)
                    {
                        if (equal(o, index, k, lit))
                        {
                            return true;
                        }
                    }
                    return false;
                default:
                {
                    final Operand lit = operands[0];
                    if (lit.kind == Operand.Kind.NULL)
                    {
                        return (op == Op.GTE || op == Op.LTE) && k == ValueKind.NULL;
                    }
                    final int c = Mongo.compare(o, field, index, k, lit);
                    if (c == Mongo.INCOMPARABLE)
                    {
                        return false;
                    }
                    return switch (op)
                    {
                        case GT -> c > 0;
                        case GTE -> c >= 0;
                        case LT -> c < 0;
                        default -> c <= 0;
                    };
                }
            }
        }

        private boolean equal(final ObjectView o, final int index, final ValueKind k, final Operand lit)
        {
            if (lit.kind == Operand.Kind.NULL)
            {
                return k == ValueKind.NULL;
            }
            return Mongo.compare(o, field, index, k, lit) == 0;
        }

        private boolean wholeList(final ObjectView o, final int n)
        {
            for (final Operand lit : operands)
            {
                if (lit.kind == Operand.Kind.ARRAY && lit.items.length == n)
                {
                    boolean all = true;
                    for (int i = 0; i < n && all; i++)
                    {
                        all = equal(o, i, o.kind(field, i), lit.items[i]);
                    }
                    if (all)
                    {
                        return true;
                    }
                }
            }
            return false;
        }

        void appendTo(final StringBuilder sb)
        {
            sb.append('{');
            Operand.appendString(sb, field);
            sb.append(":{\"").append(op.text).append("\":");
            if (op == Op.IN)
            {
                sb.append('[');
                for (int i = 0; i < operands.length; i++)
                {
                    if (i > 0)
                    {
                        sb.append(',');
                    }
                    operands[i].appendTo(sb);
                }
                sb.append(']');
            }
            else
            {
                operands[0].appendTo(sb);
            }
            sb.append("}}");
        }

        void collectFields(final Set<String> into)
        {
            into.add(field);
        }
    }
}
