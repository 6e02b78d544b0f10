package dev.outpost.ot.rules;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A brute-force MongoDB filter evaluator written from MongoDB's documentation, independent of the engine: it walks
 * the raw JSON filter for every object, turns every value into a (bracket, BigDecimal / code points / bytes / time)
 * key and compares keys. Slow and simple on purpose. {@code mutation} injects a known bug, to show the property
 * test notices one.
 */
final class ReferenceEvaluator
{
    private static final Object MISSING = new Object();

    enum Mutation
    {
        NONE,
        /** $gte evaluated as $gt. */
        GTE_AS_GT,
        /** null does not match a missing field. */
        NULL_IGNORES_MISSING,
        /** list fields are not searched element by element. */
        NO_ARRAY_ELEMENTS
    }

    private final Map<String, Object> expansions;
    private final Mutation mutation;

    ReferenceEvaluator(final Map<String, Object> expansions, final Mutation mutation)
    {
        this.expansions = expansions;
        this.mutation = mutation;
    }

    boolean matches(final Object filter, final Map<String, Object> doc)
    {
        if (filter instanceof Boolean b)
        {
            return b;
        }
        final Map<?, ?> f = (Map<?, ?>)filter;
        boolean all = true;
        for (final Map.Entry<?, ?> e : f.entrySet())
        {
            all &= clause((String)e.getKey(), e.getValue(), doc);
        }
        return all;
    }

    private boolean clause(final String k, final Object v, final Map<String, Object> doc)
    {
        switch (k)
        {
            case "$and":
                return ((List<?>)v).stream().allMatch(x -> matches(x, doc));
            case "$or":
                return ((List<?>)v).stream().anyMatch(x -> matches(x, doc));
            case "$nor":
                return ((List<?>)v).stream().noneMatch(x -> matches(x, doc));
            case "$comment":
                return true; // MongoDB ignores it
            default:
                break;
        }
        final Object fieldValue = k.startsWith("%%") ? expand(k) : doc.containsKey(k) ? doc.get(k) : MISSING;
        return condition(fieldValue, v);
    }

    private Object expand(final String text)
    {
        return expansions.containsKey(text) ? expansions.get(text) : MISSING;
    }

    private static boolean isOperatorDoc(final Object v)
    {
        return v instanceof Map<?, ?> m && !m.isEmpty() && ((String)m.keySet().iterator().next()).startsWith("$") &&
            !(m.size() == 1 && Set.EXT.contains((String)m.keySet().iterator().next()));
    }

    private boolean condition(final Object fieldValue, final Object cond)
    {
        if (!isOperatorDoc(cond))
        {
            return eqMatch(fieldValue, value(cond));
        }
        for (final Map.Entry<?, ?> e : ((Map<?, ?>)cond).entrySet())
        {
            final Object arg = e.getValue();
            final boolean holds = switch ((String)e.getKey())
            {
                case "$eq" -> eqMatch(fieldValue, value(arg));
                case "$ne" -> !eqMatch(fieldValue, value(arg));
                case "$in" -> inList(arg).stream().anyMatch(x -> eqMatch(fieldValue, x));
                case "$nin" -> inList(arg).stream().noneMatch(x -> eqMatch(fieldValue, x));
                case "$exists" -> (fieldValue != MISSING) == (Boolean)arg;
                case "$not" -> !condition(fieldValue, arg);
                case "$gt", "$gte", "$lt", "$lte" -> range((String)e.getKey(), fieldValue, value(arg));
                default -> throw new IllegalArgumentException((String)e.getKey());
            };
            if (!holds)
            {
                return false;
            }
        }
        return true;
    }

    private List<?> inList(final Object arg)
    {
        final Object v = value(arg);
        if (v == MISSING)
        {
            return List.of();
        }
        return v instanceof List<?> l ? l : List.of(v);
    }

    /** A literal or an expansion's value (Extended JSON decoded into the test's Java types). */
    private Object value(final Object v)
    {
        if (v instanceof List<?> l)
        {
            final List<Object> items = new java.util.ArrayList<>();
            for (final Object item : l)
            {
                final Object x = value(item);
                items.add(x == MISSING ? new Object() : x); // a missing expansion inside an array equals nothing
            }
            return items;
        }
        if (v instanceof String s && s.startsWith("%%"))
        {
            final Object x = expand(s);
            return x == MISSING ? MISSING : decode(x);
        }
        return decode(v);
    }

    static Object decode(final Object v)
    {
        if (v instanceof List<?> l)
        {
            return l.stream().map(ReferenceEvaluator::decode).toList();
        }
        if (v instanceof Map<?, ?> m && m.size() == 1)
        {
            final String k = (String)m.keySet().iterator().next();
            final Object x = m.get(k);
            switch (k)
            {
                case "$oid":
                    return new TestObject.Oid(HexFormat.of().parseHex((String)x));
                case "$uuid":
                    return new TestObject.Uuid(HexFormat.of().parseHex(((String)x).replace("-", "")));
                case "$numberDecimal":
                    return new BigDecimal((String)x);
                case "$numberLong":
                case "$numberInt":
                    return Long.parseLong((String)x);
                case "$numberDouble":
                    return switch ((String)x)
                    {
                        case "NaN" -> Double.NaN;
                        case "Infinity" -> Double.POSITIVE_INFINITY;
                        case "-Infinity" -> Double.NEGATIVE_INFINITY;
                        default -> Double.parseDouble((String)x);
                    };
                case "$date":
                {
                    final long ms = x instanceof Number n ? n.longValue() : x instanceof Map<?, ?> nl ?
                        Long.parseLong((String)nl.get("$numberLong")) : Instant.parse((String)x).toEpochMilli();
                    return new TestObject.Ts(ms / 1000, (int)(ms % 1000) * 1_000_000);
                }
                case "$binary":
                {
                    final Map<?, ?> b = (Map<?, ?>)x;
                    final byte[] bytes = Base64.getDecoder().decode((String)b.get("base64"));
                    return "04".equals(b.get("subType")) ? new TestObject.Uuid(bytes) : bytes;
                }
                default:
                    break;
            }
        }
        if (v instanceof Map)
        {
            return new Object(); // a document: equals nothing
        }
        return v;
    }

    private boolean eqMatch(final Object fieldValue, final Object lit)
    {
        if (fieldValue == MISSING)
        {
            return lit == null && mutation != Mutation.NULL_IGNORES_MISSING;
        }
        if (lit == MISSING)
        {
            return false;
        }
        if (fieldValue instanceof List<?> list && mutation != Mutation.NO_ARRAY_ELEMENTS)
        {
            if (lit instanceof List<?> l2 && l2.size() == list.size())
            {
                boolean same = true;
                for (int i = 0; i < list.size(); i++)
                {
                    same &= equal(list.get(i), l2.get(i));
                }
                if (same)
                {
                    return true;
                }
            }
            return list.stream().anyMatch(x -> equal(x, lit));
        }
        return equal(fieldValue, lit);
    }

    private static boolean equal(final Object a, final Object lit)
    {
        if (lit == null || a == null)
        {
            return a == null && lit == null;
        }
        final Key x = key(a);
        final Key y = key(lit);
        return x != null && y != null && x.bracket == y.bracket && x.compareTo(y) == 0;
    }

    private boolean range(final String op, final Object fieldValue, final Object lit)
    {
        if (lit == MISSING)
        {
            return false;
        }
        if (fieldValue == MISSING)
        {
            return lit == null && ("$gte".equals(op) || "$lte".equals(op)) && mutation != Mutation.NULL_IGNORES_MISSING;
        }
        if (fieldValue instanceof List<?> list && mutation != Mutation.NO_ARRAY_ELEMENTS)
        {
            return list.stream().anyMatch(x -> rangeOne(op, x, lit));
        }
        return rangeOne(op, fieldValue, lit);
    }

    private boolean rangeOne(final String op, final Object a, final Object lit)
    {
        if (lit == null)
        {
            return a == null && ("$gte".equals(op) || "$lte".equals(op));
        }
        if (a == null)
        {
            return false;
        }
        final Key x = key(a);
        final Key y = key(lit);
        if (x == null || y == null || x.bracket != y.bracket)
        {
            return false;
        }
        final int c = x.compareTo(y);
        if (c == NAN_UNORDERED)
        {
            return false;
        }
        return switch (op)
        {
            case "$gt" -> c > 0;
            case "$gte" -> mutation == Mutation.GTE_AS_GT ? c > 0 : c >= 0;
            case "$lt" -> c < 0;
            default -> c <= 0;
        };
    }

    /** A comparable key of a non-null value: numbers as BigDecimal (NaN lowest), strings as code points... */
    private record Key(int bracket, boolean nan, BigDecimal number, int[] codePoints, byte[] bytes, int subtype,
        BigInteger time, boolean bool) implements Comparable<Key>
    {
        @Override
        public int compareTo(final Key o)
        {
            switch (bracket)
            {
                case 2:
                    if (nan || o.nan)
                    {
                        return nan && o.nan ? 0 : NAN_UNORDERED;
                    }
                    return number.compareTo(o.number);
                case 3:
                    return Arrays.compare(codePoints, o.codePoints);
                case 5:
                    if (bytes.length != o.bytes.length)
                    {
                        return Integer.compare(bytes.length, o.bytes.length);
                    }
                    if (subtype != o.subtype)
                    {
                        return Integer.compare(subtype, o.subtype);
                    }
                    return Arrays.compareUnsigned(bytes, o.bytes);
                case 6:
                    return Arrays.compareUnsigned(bytes, o.bytes);
                case 7:
                    return Boolean.compare(bool, o.bool);
                default:
                    return time.compareTo(o.time);
            }
        }
    }

    /** NaN against a number: MongoDB's "NaN equals NaN and otherwise compares false". */
    static final int NAN_UNORDERED = 99;

    private static Key key(final Object v)
    {
        if (v instanceof Long || v instanceof Integer)
        {
            return new Key(2, false, BigDecimal.valueOf(((Number)v).longValue()), null, null, 0, null, false);
        }
        if (v instanceof Double || v instanceof Float)
        {
            final double d = ((Number)v).doubleValue();
            if (Double.isNaN(d))
            {
                return new Key(2, true, null, null, null, 0, null, false);
            }
            if (Double.isInfinite(d))
            {
                // beyond every finite number of the tests' domains
                return new Key(2, false, new BigDecimal(d > 0 ? "1e400" : "-1e400"), null, null, 0, null, false);
            }
            return new Key(2, false, new BigDecimal(d), null, null, 0, null, false);
        }
        if (v instanceof BigDecimal d)
        {
            return new Key(2, false, d, null, null, 0, null, false);
        }
        if (v instanceof String s)
        {
            return new Key(3, false, null, s.codePoints().toArray(), null, 0, null, false);
        }
        if (v instanceof byte[] b)
        {
            return new Key(5, false, null, null, b, 0, null, false);
        }
        if (v instanceof TestObject.Uuid u)
        {
            return new Key(5, false, null, null, u.bytes(), 4, null, false);
        }
        if (v instanceof TestObject.Oid o)
        {
            return new Key(6, false, null, null, o.bytes(), 0, null, false);
        }
        if (v instanceof Boolean b)
        {
            return new Key(7, false, null, null, null, 0, null, b);
        }
        if (v instanceof TestObject.Ts t)
        {
            return new Key(8, false, null, null, null, 0,
                BigInteger.valueOf(t.seconds()).multiply(BigInteger.valueOf(1_000_000_000)).add(
                    BigInteger.valueOf(t.nanos())), false);
        }
        return null;
    }

    /** Extended JSON keys. */
    static final class Set
    {
        static final java.util.Set<String> EXT = java.util.Set.of("$oid", "$uuid", "$binary", "$date", "$numberInt",
            "$numberLong", "$numberDouble", "$numberDecimal");

        private Set()
        {
        }
    }
}
