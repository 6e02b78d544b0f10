package dev.outpost.ot.query;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.outpost.ot.query.Fixture.Oid;
import dev.outpost.ot.query.Fixture.SetOf;
import dev.outpost.ot.query.Fixture.Ts;
import dev.outpost.ot.query.Fixture.Uuid;

/**
 * A query AST for tests and its brute-force evaluation over plain Java values, written independently of the
 * production evaluator and as simply as possible: BigDecimal for every exact number, code-point arrays for strings,
 * java.util.regex for LIKE.
 */
final class Reference
{
    private Reference()
    {
    }

    sealed interface Node permits Const, And, Or, Not, Cmp
    {
    }

    record Const(boolean value) implements Node
    {
    }

    record And(List<Node> terms) implements Node
    {
    }

    record Or(List<Node> terms) implements Node
    {
    }

    record Not(Node term) implements Node
    {
    }

    /**
     * @param quantifier null for a single value, else "ANY", "ALL" or "NONE".
     * @param op         "==", "!=", "<", "<=", ">", ">=", "BEGINSWITH", "ENDSWITH", "CONTAINS", "LIKE".
     * @param lits       one literal, or the items of a {...} list when {@code listForm}.
     */
    record Cmp(String field, String quantifier, boolean count, String op, boolean ci, List<Lit> lits,
        boolean listForm) implements Node
    {
    }

    /**
     * A constant: {@code value} is null, Boolean, String, byte[] (binary written as a string), BigDecimal (an exact
     * number), Double (nan/inf only), Ts, Oid or Uuid; {@code text} is how the query writes it.
     */
    record Lit(Object value, String text)
    {
    }

    static boolean eval(final Node n, final Map<String, Object> o)
    {
        if (n instanceof Const c)
        {
            return c.value;
        }
        if (n instanceof And a)
        {
            return a.terms.stream().allMatch(t -> eval(t, o));
        }
        if (n instanceof Or a)
        {
            return a.terms.stream().anyMatch(t -> eval(t, o));
        }
        if (n instanceof Not x)
        {
            return !eval(x.term, o);
        }
        final Cmp c = (Cmp)n;
        final Object v = o.get(c.field);
        final FieldType type = Fixture.COLUMNS.get(c.field);
        if (c.count)
        {
            final int size = v instanceof List<?> l ? l.size() : ((SetOf)v).items().size();
            return c.lits.stream().anyMatch(l -> test(c, ValueKind.INT, (long)size, l));
        }
        if (v instanceof List<?> || v instanceof SetOf)
        {
            final List<?> items = v instanceof List<?> l ? l : ((SetOf)v).items();
            final String q = c.quantifier == null ? "ANY" : c.quantifier;
            final long hits = items.stream().filter(e -> anyLit(c, type.element(), e)).count();
            return switch (q)
            {
                case "ALL" -> hits == items.size();
                case "NONE" -> hits == 0;
                default -> hits > 0;
            };
        }
        return anyLit(c, type.element(), v);
    }

    private static boolean anyLit(final Cmp c, final ValueKind column, final Object v)
    {
        return c.lits.stream().anyMatch(l -> test(c, column, v, l));
    }

    private static boolean isStringOp(final String op)
    {
        return Character.isLetter(op.charAt(0));
    }

    static boolean test(final Cmp c, final ValueKind column, final Object v, final Lit lit)
    {
        final Object l = lit.value;
        if (isStringOp(c.op))
        {
            if (v == null || !(l instanceof String || l instanceof byte[]))
            {
                return false;
            }
            final String hay;
            final String needle;
            if (v instanceof String s)
            {
                if (!(l instanceof String))
                {
                    return false;
                }
                hay = s;
                needle = (String)l;
            }
            else if (v instanceof byte[] b)
            {
                hay = new String(b, StandardCharsets.ISO_8859_1);
                needle = new String(bytesOf(l), StandardCharsets.ISO_8859_1);
            }
            else
            {
                return false;
            }
            final String h = c.ci ? asciiLower(hay) : hay;
            final String p = c.ci ? asciiLower(needle) : needle;
            return switch (c.op)
            {
                case "BEGINSWITH" -> h.startsWith(p);
                case "ENDSWITH" -> h.endsWith(p);
                case "CONTAINS" -> h.contains(p);
                default -> likeRegex(p).matcher(h).matches();
            };
        }
        if (v == null || l == null)
        {
            final boolean both = v == null && l == null;
            return switch (c.op)
            {
                case "==", "<=", ">=" -> both;
                case "!=" -> !both;
                default -> false;
            };
        }
        if (c.ci && (v instanceof String || v instanceof byte[]) && (l instanceof String || l instanceof byte[]))
        {
            final boolean eq;
            if (v instanceof String s)
            {
                eq = l instanceof String ls && asciiLower(s).equals(asciiLower(ls));
            }
            else
            {
                eq = asciiLower(new String((byte[])v, StandardCharsets.ISO_8859_1))
                    .equals(asciiLower(new String(bytesOf(l), StandardCharsets.ISO_8859_1)));
            }
            return c.op.equals("==") == eq;
        }
        final Integer cmp = compare(column, v, l);
        if (cmp == null)
        {
            return c.op.equals("!=");
        }
        return switch (c.op)
        {
            case "==" -> cmp == 0;
            case "!=" -> cmp != 0;
            case "<" -> cmp < 0;
            case "<=" -> cmp <= 0;
            case ">" -> cmp > 0;
            default -> cmp >= 0;
        };
    }

    private static byte[] bytesOf(final Object l)
    {
        return l instanceof byte[] b ? b : ((String)l).getBytes(StandardCharsets.UTF_8);
    }

    /** @return the sign of v - l, or null if they do not compare. */
    private static Integer compare(final ValueKind column, final Object v, final Object l)
    {
        if (isNumber(v))
        {
            if (!isNumber(l))
            {
                return null;
            }
            if (v instanceof Double d)
            {
                return doubleOrder(d, literalDouble(l));
            }
            if (v instanceof Float f)
            {
                final double lit = column == ValueKind.FLOAT ? (double)(float)literalDouble(l) : literalDouble(l);
                return doubleOrder((double)f, lit);
            }
            final BigDecimal exact = v instanceof BigDecimal b ? b : BigDecimal.valueOf(((Number)v).longValue());
            if (l instanceof BigDecimal lb)
            {
                return Integer.signum(exact.compareTo(lb));
            }
            final double special = (Double)l;
            return Double.isNaN(special) ? 1 : special > 0 ? -1 : 1;
        }
        if (v instanceof Boolean b)
        {
            return l instanceof Boolean lb ? Integer.signum(Boolean.compare(b, lb)) : null;
        }
        if (v instanceof String s)
        {
            return l instanceof String ls ? Integer.signum(Arrays.compare(s.codePoints().toArray(),
                ls.codePoints().toArray())) : null;
        }
        if (v instanceof byte[] b)
        {
            return l instanceof String || l instanceof byte[] ? Integer.signum(Arrays.compareUnsigned(b, bytesOf(l)))
                : null;
        }
        if (v instanceof Ts t)
        {
            if (!(l instanceof Ts lt))
            {
                return null;
            }
            return t.seconds() != lt.seconds() ? Long.signum(t.seconds() - lt.seconds())
                : Integer.signum(t.nanos() - lt.nanos());
        }
        if (v instanceof Oid x)
        {
            return l instanceof Oid lo ? Integer.signum(Arrays.compareUnsigned(x.bytes(), lo.bytes())) : null;
        }
        if (v instanceof Uuid x)
        {
            return l instanceof Uuid lu ? Integer.signum(Arrays.compareUnsigned(x.bytes(), lu.bytes())) : null;
        }
        throw new IllegalStateException(String.valueOf(v));
    }

    private static boolean isNumber(final Object o)
    {
        return o instanceof Long || o instanceof Double || o instanceof Float || o instanceof BigDecimal;
    }

    private static double literalDouble(final Object l)
    {
        return l instanceof BigDecimal b ? Double.parseDouble(b.toString()) : (Double)l;
    }

    /** NaN equals NaN and sorts first; -0 equals 0. */
    private static int doubleOrder(final double a, final double b)
    {
        if (Double.isNaN(a) || Double.isNaN(b))
        {
            return Double.isNaN(a) && Double.isNaN(b) ? 0 : Double.isNaN(a) ? -1 : 1;
        }
        return a == b ? 0 : a < b ? -1 : 1;
    }

    private static String asciiLower(final String s)
    {
        final StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> sb.appendCodePoint(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
        return sb.toString();
    }

    private static Pattern likeRegex(final String pattern)
    {
        final StringBuilder re = new StringBuilder();
        pattern.codePoints().forEach(cp ->
        {
            if (cp == '*')
            {
                re.append(".*");
            }
            else if (cp == '?')
            {
                re.append('.');
            }
            else
            {
                re.append(Pattern.quote(new String(Character.toChars(cp))));
            }
        });
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    static String lower(final String s)
    {
        return s.toLowerCase(Locale.ROOT);
    }
}
