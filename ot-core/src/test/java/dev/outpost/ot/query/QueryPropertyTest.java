package dev.outpost.ot.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import dev.outpost.ot.query.Fixture.Oid;
import dev.outpost.ot.query.Fixture.SetOf;
import dev.outpost.ot.query.Fixture.Ts;
import dev.outpost.ot.query.Fixture.Uuid;
import dev.outpost.ot.query.Reference.Cmp;
import dev.outpost.ot.query.Reference.Lit;
import dev.outpost.ot.query.Reference.Node;
import dev.outpost.ot.state.ObjectData;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Random objects (every scalar type incl. nulls, NaN, infinities, edge values) and random query ASTs, printed in
 * realm-core's serialized forms (B64 strings, T timestamps, oid/uuid, exponents, swapped operands, IN lists, ...):
 * parse + evaluate must agree with {@link Reference}'s brute-force evaluation of the AST, and the compiled query's
 * canonical text must reparse to the same text and the same answers.
 */
class QueryPropertyTest
{
    private static final String[] STRINGS = {"", "a", "A", "ab", "aB", "abc", "b", "x-1", "X-1", "\u00e9", "\u00c9",
        "\ud83d\ude00", "a b", "q\"t", "back\\slash", "a*b", "a?b", "z\n", "it's", "\u4e2d\u6587"};
    private static final String[] PATTERNS = {"a*", "*b", "?", "*", "a?b", "*\u00e9*", "A*", "x-?", "", "??*"};
    private static final String[] NUMBERS = {"0", "1", "-1", "2", "3", "1.5", "15e-1", "1.1", "-0", "0.0", "nan",
        "inf", "-inf", "+inf", "1e300", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "0x2",
        "1.0E0", "2.5", "-1.5", "4.9E-324", "1E+3", "1000", "-2.25", "0.1", "NaN", "-nan", "1.100000023841858", "1e+300",
        "1.10000002", "-1.5e-99999999"};
    private static final Object[] INTS = {-2L, -1L, 0L, 1L, 2L, 3L, 1000L, Long.MIN_VALUE, Long.MAX_VALUE};
    private static final Object[] DOUBLES = {-1.5, 0.0, -0.0, 1.0, 1.1, 1.5, 2.0, Double.NaN,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300, Double.MIN_VALUE, 1000.0};
    private static final Object[] FLOATS = {-1.5f, 0f, -0f, 1f, 1.1f, 1.5f, 2f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 1000f};
    private static final Object[] DECIMALS = {new BigDecimal("0"), new BigDecimal("1"), new BigDecimal("1.5"),
        new BigDecimal("1.50"), new BigDecimal("-2.25"), new BigDecimal("1E+3"), new BigDecimal("0.1")};
    private static final Object[] TIMESTAMPS = {new Ts(0, 0), new Ts(1, 0), new Ts(1, 500), new Ts(-1, -5),
        new Ts(1700000000, 1)};
    private static final Object[] OIDS = {Oid.of("6561a1b2c3d4e5f601020304"), Oid.of("6561a1b2c3d4e5f601020305"),
        Oid.of("000000000000000000000000"), Oid.of("ffffffffffffffffffffffff")};
    private static final Object[] UUIDS = {Uuid.of("3b241101-e2bb-4255-8caf-4136c566a962"),
        Uuid.of("3b241101-e2bb-4255-8caf-4136c566a963"), Uuid.of("00000000-0000-0000-0000-000000000000")};
    private static final String[] SCALAR_FIELDS = {"i", "b", "s", "bin", "ts", "f", "d", "dec", "oid", "u", "m"};
    private static final String[] LIST_FIELDS = {"tags", "nums", "dl"};

    record Case(Map<String, Object> object, Node ast, String text)
    {
        @Override
        public String toString()
        {
            return text + "\n  over " + object;
        }
    }

    @Provide
    Arbitrary<Case> cases()
    {
        return Arbitraries.randomValue(r ->
        {
            final Map<String, Object> object = randomObject(r);
            final Node ast = randomNode(r, 0);
            final StringBuilder sb = new StringBuilder();
            print(r, ast, sb);
            return new Case(object, ast, sb.toString());
        });
    }

    /** Text-heavy cases: string and binary fields, string operators, case folding, LIKE patterns. */
    @Provide
    Arbitrary<Case> textCases()
    {
        return Arbitraries.randomValue(r ->
        {
            final Map<String, Object> object = randomObject(r);
            final Node ast = randomTextComparison(r);
            final StringBuilder sb = new StringBuilder();
            print(r, ast, sb);
            return new Case(object, ast, sb.toString());
        });
    }

    @Property(tries = 3000)
    void shouldAgreeWithTheBruteForceReferenceOnText(@ForAll("textCases") final Case c)
    {
        shouldAgreeWithTheBruteForceReference(c);
    }

    @Property(tries = 3000)
    void shouldAgreeWithTheBruteForceReference(@ForAll("cases") final Case c)
    {
        final QueryCompiler.Result r = QueryCompiler.compile("Item", c.text, Fixture.SCHEMA, null);
        assertThat(r.isOk()).as(c + " -> " + r.refusal()).isTrue();
        final ObjectData data = toObject(c.object);
        final boolean expected = Reference.eval(c.ast, c.object);
        Statistics.label("matches").collect(expected);
        assertThat(r.query().matches(new StateObjectView().wrap(data))).as(c.toString()).isEqualTo(expected);
        final String canonical = r.query().description();
        final CompiledQuery again = Fixture.compile(canonical);
        assertThat(again.description()).isEqualTo(canonical);
        assertThat(again.matches(new StateObjectView().wrap(data))).as(canonical).isEqualTo(expected);
    }

    // ------------------------------------------------------------------------------------------------ objects

    private static Object pick(final Random r, final Object[] pool, final boolean nullable)
    {
        return nullable && r.nextInt(6) == 0 ? null : pool[r.nextInt(pool.length)];
    }

    private static Object randomScalar(final Random r, final ValueKind kind)
    {
        return switch (kind)
        {
            case INT -> pick(r, INTS, true);
            case BOOL -> pick(r, new Object[] {true, false}, true);
            case STRING -> pick(r, STRINGS, true);
            case BINARY -> r.nextInt(6) == 0 ? null : r.nextBoolean()
                ? STRINGS[r.nextInt(STRINGS.length)].getBytes(StandardCharsets.UTF_8) : new byte[] {0, (byte)0xff, 'a'};
            case TIMESTAMP -> pick(r, TIMESTAMPS, true);
            case FLOAT -> pick(r, FLOATS, true);
            case DOUBLE -> pick(r, DOUBLES, true);
            case DECIMAL -> pick(r, DECIMALS, true);
            case OBJECT_ID -> pick(r, OIDS, true);
            case UUID -> pick(r, UUIDS, true);
            default ->
            {
                final ValueKind[] kinds = {ValueKind.INT, ValueKind.BOOL, ValueKind.STRING, ValueKind.BINARY,
                    ValueKind.TIMESTAMP, ValueKind.FLOAT, ValueKind.DOUBLE, ValueKind.DECIMAL, ValueKind.OBJECT_ID,
                    ValueKind.UUID};
                yield randomScalar(r, kinds[r.nextInt(kinds.length)]);
            }
        };
    }

    static Map<String, Object> randomObject(final Random r)
    {
        final Map<String, Object> o = new TreeMap<>();
        for (final String f : SCALAR_FIELDS)
        {
            o.put(f, randomScalar(r, Fixture.COLUMNS.get(f).element()));
        }
        final List<Object> tags = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--)
        {
            tags.add(randomScalar(r, ValueKind.STRING));
        }
        o.put("tags", tags);
        final LinkedHashSet<Object> nums = new LinkedHashSet<>();
        for (int i = r.nextInt(4); i > 0; i--)
        {
            nums.add(randomScalar(r, ValueKind.INT));
        }
        o.put("nums", new SetOf(new ArrayList<>(nums)));
        final List<Object> dl = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--)
        {
            dl.add(randomScalar(r, ValueKind.DOUBLE));
        }
        o.put("dl", dl);
        return o;
    }

    static ObjectData toObject(final Map<String, Object> o)
    {
        final List<Object> kv = new ArrayList<>();
        for (final Map.Entry<String, Object> e : o.entrySet())
        {
            kv.add(e.getKey());
            kv.add(e.getValue());
        }
        return Fixture.object(kv.toArray());
    }

    // ---------------------------------------------------------------------------------------------------- ASTs

    static Node randomNode(final Random r, final int depth)
    {
        final int k = r.nextInt(depth > 3 ? 1 : 10);
        switch (k)
        {
            case 1, 2:
            {
                final List<Node> terms = new ArrayList<>();
                for (int i = 2 + r.nextInt(2); i > 0; i--)
                {
                    terms.add(randomNode(r, depth + 1));
                }
                return k == 1 ? new Reference.And(terms) : new Reference.Or(terms);
            }
            case 3:
                return new Reference.Not(randomNode(r, depth + 1));
            case 4:
                if (r.nextInt(4) == 0)
                {
                    return new Reference.Const(r.nextBoolean());
                }
                return randomComparison(r);
            default:
                return randomComparison(r);
        }
    }

    private static final String[] ORDER_OPS = {"==", "!=", "<", "<=", ">", ">="};
    private static final String[] STRING_OPS = {"BEGINSWITH", "ENDSWITH", "CONTAINS", "LIKE"};

    private static final String[] TEXT_FIELDS = {"s", "bin", "m", "tags"};

    static Cmp randomTextComparison(final Random r)
    {
        final String field = TEXT_FIELDS[r.nextInt(TEXT_FIELDS.length)];
        final String quantifier = field.equals("tags") ? new String[] {"ANY", "ALL", "NONE"}[r.nextInt(3)] : null;
        final String op = r.nextBoolean() ? STRING_OPS[r.nextInt(4)] : ORDER_OPS[r.nextInt(2)];
        final String text = op.equals("LIKE") && r.nextBoolean() ? PATTERNS[r.nextInt(PATTERNS.length)]
            : STRINGS[r.nextInt(STRINGS.length)];
        return new Cmp(field, quantifier, false, op, r.nextInt(3) > 0, List.of(stringLit(r, text)), false);
    }

    static Cmp randomComparison(final Random r)
    {
        if (r.nextInt(8) == 0)
        {
            final String f = r.nextBoolean() ? "tags" : "nums";
            return new Cmp(f, null, true, ORDER_OPS[r.nextInt(6)], false, List.of(numberLit(r)), false);
        }
        final boolean list = r.nextInt(4) == 0;
        final String field = list ? LIST_FIELDS[r.nextInt(LIST_FIELDS.length)]
            : SCALAR_FIELDS[r.nextInt(SCALAR_FIELDS.length)];
        final ValueKind kind = Fixture.COLUMNS.get(field).element();
        final String quantifier = list ? new String[] {"ANY", "ALL", "NONE"}[r.nextInt(3)] : null;
        final boolean textual = kind == ValueKind.STRING || kind == ValueKind.BINARY || kind == ValueKind.MIXED;
        String op;
        boolean ci = false;
        if (textual && r.nextInt(3) == 0)
        {
            op = STRING_OPS[r.nextInt(4)];
            ci = r.nextBoolean();
            final String pattern = op.equals("LIKE") && r.nextBoolean() ? PATTERNS[r.nextInt(PATTERNS.length)]
                : STRINGS[r.nextInt(STRINGS.length)];
            return new Cmp(field, quantifier, false, op, ci, List.of(stringLit(r, pattern)), false);
        }
        op = ORDER_OPS[r.nextInt(6)];
        if (textual && (op.equals("==") || op.equals("!=")) && r.nextInt(3) == 0)
        {
            ci = true;
        }
        final boolean listForm = r.nextInt(6) == 0;
        final List<Lit> lits = new ArrayList<>();
        for (int i = listForm ? r.nextInt(4) : 1; i > 0; i--)
        {
            lits.add(r.nextInt(8) == 0 ? nullLit(r) : literalFor(r, kind));
        }
        return new Cmp(field, quantifier, false, op, ci, lits, listForm);
    }

    private static Lit nullLit(final Random r)
    {
        return new Lit(null, new String[] {"NULL", "null", "nil"}[r.nextInt(3)]);
    }

    private static Lit literalFor(final Random r, final ValueKind kind)
    {
        return switch (kind)
        {
            case INT, FLOAT, DOUBLE, DECIMAL -> numberLit(r);
            case BOOL -> r.nextBoolean() ? new Lit(true, r.nextBoolean() ? "true" : "TRUE") : new Lit(false, "false");
            case STRING -> stringLit(r, STRINGS[r.nextInt(STRINGS.length)]);
            case BINARY ->
            {
                final Lit l = stringLit(r, STRINGS[r.nextInt(STRINGS.length)]);
                yield r.nextBoolean() ? new Lit(l.value(), "binary(" + l.text() + ")") : l;
            }
            case TIMESTAMP ->
            {
                final Ts t = (Ts)TIMESTAMPS[r.nextInt(TIMESTAMPS.length)];
                yield new Lit(t, "T" + t.seconds() + ":" + t.nanos());
            }
            case OBJECT_ID ->
            {
                final Oid o = (Oid)OIDS[r.nextInt(OIDS.length)];
                final String hex = HexFormat.of().formatHex(o.bytes());
                yield new Lit(o, "oid(" + (r.nextBoolean() ? hex : hex.toUpperCase()) + ")");
            }
            case UUID ->
            {
                final Uuid u = (Uuid)UUIDS[r.nextInt(UUIDS.length)];
                final String h = HexFormat.of().formatHex(u.bytes());
                yield new Lit(u, "uuid(" + h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16)
                    + "-" + h.substring(16, 20) + "-" + h.substring(20) + ")");
            }
            default ->
            {
                final ValueKind[] kinds = {ValueKind.INT, ValueKind.BOOL, ValueKind.STRING, ValueKind.TIMESTAMP,
                    ValueKind.OBJECT_ID, ValueKind.UUID};
                yield literalFor(r, kinds[r.nextInt(kinds.length)]);
            }
        };
    }

    static Lit numberLit(final Random r)
    {
        final String text = NUMBERS[r.nextInt(NUMBERS.length)];
        final String lower = text.toLowerCase();
        if (lower.endsWith("nan"))
        {
            return new Lit(Double.NaN, text);
        }
        if (lower.endsWith("inf"))
        {
            return new Lit(text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, text);
        }
        if (lower.startsWith("0x"))
        {
            return new Lit(new BigDecimal(Long.parseLong(text.substring(2), 16)), text);
        }
        return new Lit(new BigDecimal(text), text);
    }

    static Lit stringLit(final Random r, final String s)
    {
        final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        final boolean plain = Literal.isPlain(utf8);
        final int style = r.nextInt(3);
        if (plain && style == 0)
        {
            return new Lit(s, "\"" + s + "\"");
        }
        if (plain && style == 1 && s.indexOf('\'') < 0)
        {
            return new Lit(s, "'" + s + "'");
        }
        return new Lit(s, "B64\"" + Base64.getEncoder().encodeToString(utf8) + "\"");
    }

    // ---------------------------------------------------------------------------------------------- printing

    static void print(final Random r, final Node n, final StringBuilder sb)
    {
        if (n instanceof Reference.Const c)
        {
            sb.append(c.value() ? (r.nextBoolean() ? "TRUEPREDICATE" : "truepredicate") : "FALSEPREDICATE");
        }
        else if (n instanceof Reference.And a)
        {
            join(r, a.terms(), new String[] {" and ", " && ", " AND "}, sb);
        }
        else if (n instanceof Reference.Or o)
        {
            join(r, o.terms(), new String[] {" or ", " || ", " OR "}, sb);
        }
        else if (n instanceof Reference.Not x)
        {
            sb.append(r.nextBoolean() ? "!(" : "NOT (");
            print(r, x.term(), sb);
            sb.append(')');
        }
        else
        {
            printComparison(r, (Cmp)n, sb);
        }
    }

    private static void join(final Random r, final List<Node> terms, final String[] ops, final StringBuilder sb)
    {
        final String op = ops[r.nextInt(ops.length)];
        for (int i = 0; i < terms.size(); i++)
        {
            if (i > 0)
            {
                sb.append(op);
            }
            sb.append('(');
            print(r, terms.get(i), sb);
            sb.append(')');
        }
    }

    private static String mirrored(final String op)
    {
        return switch (op)
        {
            case "<" -> ">";
            case "<=" -> ">=";
            case ">" -> "<";
            case ">=" -> "<=";
            default -> op;
        };
    }

    private static void printComparison(final Random r, final Cmp c, final StringBuilder sb)
    {
        final String suffix = c.ci() ? "[c]" : "";
        if (c.count())
        {
            final String path = c.field() + (r.nextBoolean() ? ".@count" : ".@size");
            if (r.nextBoolean())
            {
                sb.append(path).append(' ').append(c.op()).append(' ').append(c.lits().get(0).text());
            }
            else
            {
                sb.append(c.lits().get(0).text()).append(' ').append(mirrored(c.op())).append(' ').append(path);
            }
            return;
        }
        final String quantifier = c.quantifier() == null ? "" : c.quantifier().equals("ANY")
            ? new String[] {"ANY ", "SOME ", ""}[r.nextInt(3)] : c.quantifier() + " ";
        if (c.listForm())
        {
            final StringBuilder list = new StringBuilder("{");
            for (int i = 0; i < c.lits().size(); i++)
            {
                list.append(i > 0 ? ", " : "").append(c.lits().get(i).text());
            }
            list.append('}');
            sb.append(quantifier).append(c.field());
            if (c.op().equals("==") && !c.ci() && r.nextBoolean())
            {
                sb.append(" IN ").append(list);
            }
            else
            {
                sb.append(' ').append(c.op()).append(suffix).append(' ').append(list);
            }
            return;
        }
        final String lit = c.lits().get(0).text();
        final boolean swappable = !Character.isLetter(c.op().charAt(0)) && !c.ci();
        if ("ANY".equals(c.quantifier()) && c.op().equals("==") && !c.ci() && r.nextInt(3) == 0)
        {
            sb.append(lit).append(" IN ").append(c.field());
        }
        else if (swappable && c.quantifier() == null && r.nextInt(4) == 0)
        {
            sb.append(lit).append(' ').append(mirrored(c.op())).append(' ').append(c.field());
        }
        else
        {
            sb.append(quantifier).append(c.field()).append(' ').append(c.op()).append(suffix).append(' ').append(lit);
        }
    }

    static String dump(final Object o)
    {
        return o instanceof byte[] b ? Arrays.toString(b) : String.valueOf(o);
    }
}
