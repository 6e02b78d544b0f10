package dev.outpost.ot.query;

import java.util.Set;

/** A node of a compiled query. Immutable, so one tree is shared by every session and thread that uses it. */
abstract sealed class Expr permits Expr.Const, Expr.Junction, Expr.Not, Expr.Comparison
{
    abstract boolean evaluate(ObjectView object);

    abstract void appendTo(StringBuilder sb);

    abstract void collectFields(Set<String> into);

    /** @return the height of the tree (1 for a leaf). */
    abstract int depth();

    @Override
    public final String toString()
    {
        final StringBuilder sb = new StringBuilder();
        appendTo(sb);
        return sb.toString();
    }

    /** Comparison operators as realm-core writes them. */
    enum Op
    {
        EQ("=="),
        NE("!="),
        LT("<"),
        LE("<="),
        GT(">"),
        GE(">="),
        BEGINSWITH("BEGINSWITH"),
        ENDSWITH("ENDSWITH"),
        CONTAINS("CONTAINS"),
        LIKE("LIKE");

        final String text;

        Op(final String text)
        {
            this.text = text;
        }

        boolean isStringOp()
        {
            return ordinal() >= BEGINSWITH.ordinal();
        }

        boolean isOrdering()
        {
            return this == LT || this == LE || this == GT || this == GE;
        }

        /** The operator with its operands swapped ({@code 5 < x} is {@code x > 5}). */
        Op mirrored()
        {
            return switch (this)
            {
                case LT -> GT;
                case LE -> GE;
                case GT -> LT;
                case GE -> LE;
                default -> this;
            };
        }
    }

    /** Quantifier over the elements of a list or set. */
    enum Quantifier
    {
        /** A single value (a Mixed holding a list is matched as ANY). */
        SINGLE(""),
        ANY("ANY "),
        ALL("ALL "),
        NONE("NONE ");

        final String prefix;

        Quantifier(final String prefix)
        {
            this.prefix = prefix;
        }
    }

    /** TRUEPREDICATE / FALSEPREDICATE. */
    static final class Const extends Expr
    {
        static final Const TRUE = new Const(true);
        static final Const FALSE = new Const(false);

        private final boolean value;

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
            sb.append(value ? "TRUEPREDICATE" : "FALSEPREDICATE");
        }

        int depth()
        {
            return 1;
        }

        void collectFields(final Set<String> into)
        {
        }
    }

    /** {@code a and b and ...} or {@code a or b or ...}: both evaluate left to right and stop at the first decider. */
    static final class Junction extends Expr
    {
        private final boolean and;
        private final Expr[] terms;

        Junction(final boolean and, final Expr[] terms)
        {
            this.and = and;
            this.terms = terms;
        }

        boolean evaluate(final ObjectView object)
        {
            for (final Expr t : terms)
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
            sb.append('(');
            for (int i = 0; i < terms.length; i++)
            {
                if (i > 0)
                {
                    sb.append(and ? " and " : " or ");
                }
                terms[i].appendTo(sb);
            }
            sb.append(')');
        }

        void collectFields(final Set<String> into)
        {
            for (final Expr t : terms)
            {
                t.collectFields(into);
            }
        }

        int depth()
        {
            int max = 0;
            for (final Expr t : terms)
            {
                max = Math.max(max, t.depth());
            }
            return max + 1;
        }
    }

    static final class Not extends Expr
    {
        private final Expr term;

        Not(final Expr term)
        {
            this.term = term;
        }

        boolean evaluate(final ObjectView object)
        {
            return !term.evaluate(object);
        }

        void appendTo(final StringBuilder sb)
        {
            sb.append("!(");
            term.appendTo(sb);
            sb.append(')');
        }

        void collectFields(final Set<String> into)
        {
            term.collectFields(into);
        }

        int depth()
        {
            return term.depth() + 1;
        }
    }

    /**
     * {@code [quantifier] field[.@count] op[c] literal} or {@code ... op {l1, l2}} (true if the value matches any of
     * the literals; {@code IN {...}} is {@code == {...}}).
     */
    static final class Comparison extends Expr
    {
        private final String field;
        private final boolean mixedColumn;
        private final Quantifier quantifier;
        private final boolean count;
        private final Op op;
        private final boolean ignoreCase;
        private final Literal[] literals;
        private final boolean listForm;

        Comparison(final String field, final boolean mixedColumn, final Quantifier quantifier, final boolean count,
            final Op op, final boolean ignoreCase, final Literal[] literals, final boolean listForm)
        {
            this.field = field;
            this.mixedColumn = mixedColumn;
            this.quantifier = quantifier;
            this.count = count;
            this.op = op;
            this.ignoreCase = ignoreCase;
            this.literals = literals;
            this.listForm = listForm;
        }

        boolean evaluate(final ObjectView object)
        {
            final int n = object.elementCount(field);
            if (count)
            {
                return matchesCount(Math.max(n, 0));
            }
            if (n < 0)
            {
                return matchesAnyLiteral(object, ObjectView.SCALAR);
            }
            switch (quantifier)
            {
                case ALL:
                    for (int i = 0; i < n; i++)
                    {
                        if (!matchesAnyLiteral(object, i))
                        {
                            return false;
                        }
                    }
                    return true;
                case NONE:
                    for (int i = 0; i < n; i++)
                    {
                        if (matchesAnyLiteral(object, i))
                        {
                            return false;
                        }
                    }
                    return true;
                default:
                    for (int i = 0; i < n; i++)
                    {
                        if (matchesAnyLiteral(object, i))
                        {
                            return true;
                        }
                    }
                    return false;
            }
        }

        private boolean matchesCount(final long n)
        {
            for (final Literal lit : literals)
            {
                if (lit.type == Literal.Type.NUMBER && holds(compareLong(n, lit)))
                {
                    return true;
                }
            }
            return false;
        }

        private boolean matchesAnyLiteral(final ObjectView object, final int index)
        {
            for (final Literal lit : literals)
            {
                if (matches(object, index, lit))
                {
                    return true;
                }
            }
            return false;
        }

        private boolean matches(final ObjectView o, final int index, final Literal lit)
        {
            final ValueKind kind = o.kind(field, index);
            if (op.isStringOp())
            {
                return matchesStringOp(o, index, kind, lit);
            }
            if (kind == ValueKind.NULL || lit.type == Literal.Type.NULL)
            {
                final boolean both = kind == ValueKind.NULL && lit.type == Literal.Type.NULL;
                return switch (op)
                {
                    case EQ, LE, GE -> both;
                    case NE -> !both;
                    default -> false;
                };
            }
            if (ignoreCase && lit.type == Literal.Type.STRING && (kind == ValueKind.STRING || kind == ValueKind.BINARY))
            {
                final boolean equal = kind == ValueKind.STRING
                    ? lit.validUtf8 && Compare.equals(o.stringValue(field, index), lit.text, true)
                    : Compare.equals(o.bytesValue(field, index), lit.bytes, true);
                return op == Op.EQ ? equal : !equal;
            }
            final int c = compare(o, index, kind, lit);
            return c == Compare.INCOMPARABLE ? op == Op.NE : holds(c);
        }

        private boolean holds(final int c)
        {
            return switch (op)
            {
                case EQ -> c == 0;
                case NE -> c != 0;
                case LT -> c < 0;
                case LE -> c <= 0;
                case GT -> c > 0;
                case GE -> c >= 0;
                default -> false;
            };
        }

        private static int compareLong(final long a, final Literal lit)
        {
            if (lit.integral)
            {
                return Long.compare(a, lit.longValue);
            }
            if (lit.decimal == null)
            {
                return Compare.longDouble(a, lit.doubleValue);
            }
            // A fractional constant never equals an int: a < c exactly when a <= floor(c).
            if (lit.floorOutside != 0)
            {
                return -lit.floorOutside;
            }
            return a <= lit.floor ? -1 : 1;
        }

        private int compare(final ObjectView o, final int index, final ValueKind kind, final Literal lit)
        {
            switch (kind)
            {
                case INT:
                    return lit.type == Literal.Type.NUMBER ? compareLong(o.intValue(field, index), lit)
                        : Compare.INCOMPARABLE;
                case DOUBLE:
                    return lit.type == Literal.Type.NUMBER
                        ? Compare.doubles(o.doubleValue(field, index), lit.doubleValue) : Compare.INCOMPARABLE;
                case FLOAT:
                    if (lit.type != Literal.Type.NUMBER)
                    {
                        return Compare.INCOMPARABLE;
                    }
                    // A float column converts the constant to float; a Mixed compares as double.
                    return Compare.doubles(o.floatValue(field, index), mixedColumn ? lit.doubleValue : lit.floatValue);
                case DECIMAL:
                    if (lit.type != Literal.Type.NUMBER)
                    {
                        return Compare.INCOMPARABLE;
                    }
                    return lit.decimal != null
                        ? Integer.signum(o.decimalValue(field, index).compareTo(lit.decimal))
                        : Compare.decimalDouble(o.decimalValue(field, index), lit.doubleValue);
                case BOOL:
                    return lit.type == Literal.Type.BOOL ? Boolean.compare(o.boolValue(field, index), lit.bool)
                        : Compare.INCOMPARABLE;
                case STRING:
                    if (lit.type != Literal.Type.STRING)
                    {
                        return Compare.INCOMPARABLE;
                    }
                    final int c = Compare.strings(o.stringValue(field, index), lit.text);
                    return c == 0 && !lit.validUtf8 ? -1 : c;
                case BINARY:
                    return lit.type == Literal.Type.STRING ? Compare.bytes(o.bytesValue(field, index), lit.bytes)
                        : Compare.INCOMPARABLE;
                case TIMESTAMP:
                    if (lit.type != Literal.Type.TIMESTAMP)
                    {
                        return Compare.INCOMPARABLE;
                    }
                    final int s = Long.compare(o.timestampSeconds(field, index), lit.longValue);
                    return s != 0 ? s : Integer.compare(o.timestampNanos(field, index), lit.nanos);
                case OBJECT_ID:
                    return lit.type == Literal.Type.OBJECT_ID ? Compare.bytes(o.bytesValue(field, index), lit.bytes)
                        : Compare.INCOMPARABLE;
                case UUID:
                    return lit.type == Literal.Type.UUID ? Compare.bytes(o.bytesValue(field, index), lit.bytes)
                        : Compare.INCOMPARABLE;
                default:
                    return Compare.INCOMPARABLE;
            }
        }

        private boolean matchesStringOp(final ObjectView o, final int index, final ValueKind kind, final Literal lit)
        {
            if (lit.type != Literal.Type.STRING)
            {
                return false;
            }
            if (kind == ValueKind.STRING)
            {
                if (!lit.validUtf8)
                {
                    return false;
                }
                final String s = o.stringValue(field, index);
                return switch (op)
                {
                    case BEGINSWITH -> Compare.beginsWith(s, lit.text, ignoreCase);
                    case ENDSWITH -> Compare.endsWith(s, lit.text, ignoreCase);
                    case CONTAINS -> Compare.contains(s, lit.text, ignoreCase);
                    default -> Compare.like(s, lit.text, ignoreCase);
                };
            }
            if (kind == ValueKind.BINARY)
            {
                final byte[] b = o.bytesValue(field, index);
                return switch (op)
                {
                    case BEGINSWITH -> Compare.beginsWith(b, lit.bytes, ignoreCase);
                    case ENDSWITH -> Compare.endsWith(b, lit.bytes, ignoreCase);
                    case CONTAINS -> Compare.contains(b, lit.bytes, ignoreCase);
                    default -> Compare.like(b, lit.bytes, ignoreCase);
                };
            }
            return false;
        }

        void appendTo(final StringBuilder sb)
        {
            sb.append(quantifier.prefix).append(field);
            if (count)
            {
                sb.append(".@count");
            }
            sb.append(' ').append(op.text);
            if (ignoreCase)
            {
                sb.append("[c]");
            }
            sb.append(' ');
            if (listForm)
            {
                sb.append('{');
                for (int i = 0; i < literals.length; i++)
                {
                    if (i > 0)
                    {
                        sb.append(", ");
                    }
                    literals[i].appendTo(sb);
                }
                sb.append('}');
            }
            else
            {
                literals[0].appendTo(sb);
            }
        }

        void collectFields(final Set<String> into)
        {
            into.add(field);
        }

        int depth()
        {
            return 1;
        }
    }
}
