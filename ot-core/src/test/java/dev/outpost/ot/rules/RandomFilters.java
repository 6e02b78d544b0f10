package dev.outpost.ot.rules;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random objects and random filters (JSON-like, as RuleJson gives them) over small domains, so values collide. */
final class RandomFilters
{
    static final String[] FIELDS = {"i", "d", "f", "dec", "s", "b", "oid", "u", "ts", "bin", "tags", "nums", "m",
        "gone"};
    static final String[] EXPANSIONS = {"%%user.id", "%%user.custom_data.team", "%%user.custom_data.teams",
        "%%user.custom_data.missing", "%%values.limit", "%%true", "%%false"};
    static final Map<String, Object> EXPANDED = Map.of("%%user.id", "u1", "%%user.custom_data.team", "t1",
        "%%user.custom_data.teams", List.of("t1", "u1"), "%%values.limit", 2L, "%%true", true, "%%false", false);
    static final RuleValues VALUES = new RuleValues(Map.of("limit", 2L), Map.of());
    static final RuleContext CONTEXT = new RuleContext(VALUES, new UserContext("u1", Map.of(),
        Map.of("team", "t1", "teams", List.of("t1", "u1"))), null);

    private static final String[] STRINGS = {"", "a", "b", "u1", "t1", "ab", "\u00e9", "\ud83d\ude00", "\uffff"};
    private static final String[] OIDS = {"65610c0a1b2c3d4e5f607182", "65610c0a1b2c3d4e5f607183",
        "000000000000000000000000"};
    private static final String[] UUIDS = {"0f8fad5b-d9cb-469f-a165-70867728950e",
        "0f8fad5b-d9cb-469f-a165-70867728950f"};

    private RandomFilters()
    {
    }

    // ------------------------------------------------------------------------------------------------ objects

    static Map<String, Object> object(final Random r)
    {
        final Map<String, Object> o = new LinkedHashMap<>();
        maybe(r, o, "i", () -> r.nextInt(5) == 0 ? null : (long)(r.nextInt(7) - 3));
        maybe(r, o, "d", () -> r.nextInt(5) == 0 ? null : randomDouble(r));
        maybe(r, o, "f", () -> r.nextInt(5) == 0 ? null : (float)(r.nextInt(7) - 3) / 2);
        maybe(r, o, "dec", () -> r.nextInt(5) == 0 ? null : BigDecimal.valueOf(r.nextInt(9) - 4, r.nextInt(2)));
        maybe(r, o, "s", () -> r.nextInt(5) == 0 ? null : STRINGS[r.nextInt(STRINGS.length)]);
        maybe(r, o, "b", () -> r.nextInt(5) == 0 ? null : r.nextBoolean());
        maybe(r, o, "oid", () -> r.nextInt(5) == 0 ? null : TestObject.Oid.of(OIDS[r.nextInt(OIDS.length)]));
        maybe(r, o, "u", () -> r.nextInt(5) == 0 ? null : TestObject.Uuid.of(UUIDS[r.nextInt(UUIDS.length)]));
        maybe(r, o, "ts", () -> r.nextInt(5) == 0 ? null : new TestObject.Ts(r.nextInt(3) - 1,
            (r.nextInt(3) - 1) * 500_000_000));
        maybe(r, o, "bin", () -> r.nextInt(5) == 0 ? null : bytes(r));
        maybe(r, o, "tags", () ->
        {
            final List<Object> l = new ArrayList<>();
            for (int n = r.nextInt(4); n > 0; n--)
            {
                l.add(r.nextInt(6) == 0 ? null : STRINGS[r.nextInt(STRINGS.length)]);
            }
            return l;
        });
        maybe(r, o, "nums", () ->
        {
            final List<Object> l = new ArrayList<>();
            for (int n = r.nextInt(4); n > 0; n--)
            {
                l.add((long)(r.nextInt(7) - 3));
            }
            return l;
        });
        maybe(r, o, "m", () -> anyValue(r));
        return o;
    }

    private static void maybe(final Random r, final Map<String, Object> o, final String f,
        final java.util.function.Supplier<Object> v)
    {
        if (r.nextInt(8) != 0)
        {
            o.put(f, v.get());
        }
    }

    private static double randomDouble(final Random r)
    {
        return switch (r.nextInt(10))
        {
            case 0 -> Double.NaN;
            case 1 -> -0.0;
            case 2 -> Double.POSITIVE_INFINITY;
            default -> (r.nextInt(13) - 6) / 2.0;
        };
    }

    private static byte[] bytes(final Random r)
    {
        final byte[] b = new byte[r.nextInt(3)];
        for (int i = 0; i < b.length; i++)
        {
            b[i] = (byte)(r.nextInt(3) * 127);
        }
        return b;
    }

    private static Object anyValue(final Random r)
    {
        return switch (r.nextInt(10))
        {
            case 0 -> null;
            case 1 -> (long)(r.nextInt(7) - 3);
            case 2 -> randomDouble(r);
            case 3 -> STRINGS[r.nextInt(STRINGS.length)];
            case 4 -> r.nextBoolean();
            case 5 -> TestObject.Oid.of(OIDS[r.nextInt(OIDS.length)]);
            case 6 -> TestObject.Uuid.of(UUIDS[r.nextInt(UUIDS.length)]);
            case 7 -> new TestObject.Ts(r.nextInt(3) - 1, 0);
            case 8 -> bytes(r);
            default -> BigDecimal.valueOf(r.nextInt(9) - 4, 1);
        };
    }

    // ------------------------------------------------------------------------------------------------ filters

    static Map<String, Object> filter(final Random r, final int depth)
    {
        final Map<String, Object> f = new LinkedHashMap<>();
        for (int n = 1 + r.nextInt(depth > 2 ? 1 : 3); n > 0; n--)
        {
            final int k = r.nextInt(depth > 2 ? 8 : 12);
            if (k >= 10)
            {
                final List<Object> terms = new ArrayList<>();
                for (int t = 1 + r.nextInt(3); t > 0; t--)
                {
                    terms.add(filter(r, depth + 1));
                }
                f.put(k == 10 ? (r.nextBoolean() ? "$and" : "$nor") : "$or", terms);
            }
            else if (k == 9)
            {
                f.put(EXPANSIONS[r.nextInt(EXPANSIONS.length)], condition(r, depth));
            }
            else
            {
                f.put(FIELDS[r.nextInt(FIELDS.length)], condition(r, depth));
            }
        }
        return f;
    }

    private static Object condition(final Random r, final int depth)
    {
        if (r.nextInt(3) == 0)
        {
            return literal(r, true);
        }
        final Map<String, Object> ops = new LinkedHashMap<>();
        for (int n = 1 + r.nextInt(2); n > 0; n--)
        {
            final String op = switch (r.nextInt(depth > 2 ? 10 : 11))
            {
                case 0 -> "$eq";
                case 1 -> "$ne";
                case 2 -> "$gt";
                case 3 -> "$gte";
                case 4 -> "$lt";
                case 5 -> "$lte";
                case 6 -> "$in";
                case 7 -> "$nin";
                case 8, 9 -> "$exists";
                default -> "$not";
            };
            final Object arg = switch (op)
            {
                case "$in", "$nin" -> r.nextInt(5) == 0 ? "%%user.custom_data.teams" : list(r);
                case "$exists" -> r.nextBoolean();
                case "$not" -> r.nextBoolean() ? single("$gt", literal(r, false)) : single("$in", list(r));
                case "$eq", "$ne" -> literal(r, true);
                default -> literal(r, false);
            };
            ops.put(op, arg);
        }
        return ops.isEmpty() ? literal(r, false) : ops;
    }

    private static Map<String, Object> single(final String k, final Object v)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put(k, v);
        return m;
    }

    private static List<Object> list(final Random r)
    {
        final List<Object> l = new ArrayList<>();
        for (int n = r.nextInt(3); n > 0; n--)
        {
            l.add(literal(r, false));
        }
        return l;
    }

    /** A JSON literal (Extended JSON for typed values) or an expansion. */
    static Object literal(final Random r, final boolean arrays)
    {
        switch (r.nextInt(arrays ? 15 : 14))
        {
            case 0:
                return null;
            case 1:
                return (long)(r.nextInt(7) - 3);
            case 2:
            {
                final double d = randomDouble(r);
                return Double.isNaN(d) ? Map.of("$numberDouble", "NaN") : Double.isInfinite(d) ?
                    Map.of("$numberDouble", "Infinity") : d;
            }
            case 3:
                return Map.of("$numberDecimal", BigDecimal.valueOf(r.nextInt(9) - 4, r.nextInt(2)).toString());
            case 4, 5:
                return STRINGS[r.nextInt(STRINGS.length)];
            case 6:
                return r.nextBoolean();
            case 7:
                return Map.of("$oid", OIDS[r.nextInt(OIDS.length)]);
            case 8:
                return Map.of("$uuid", UUIDS[r.nextInt(UUIDS.length)]);
            case 9:
                return Map.of("$date", Map.of("$numberLong", String.valueOf((r.nextInt(3) - 1) * 1000L +
                    (r.nextInt(3) - 1) * 500L)));
            case 10:
                return Map.of("$binary", Map.of("base64", java.util.Base64.getEncoder().encodeToString(bytes(r)),
                    "subType", "00"));
            case 11, 12:
                return EXPANSIONS[r.nextInt(EXPANSIONS.length - 2)];
            case 13:
                return Map.of("$numberLong", String.valueOf(r.nextInt(7) - 3));
            default:
            {
                final List<Object> l = new ArrayList<>();
                for (int n = r.nextInt(3); n > 0; n--)
                {
                    l.add(STRINGS[r.nextInt(STRINGS.length)]);
                }
                return l;
            }
        }
    }
}
