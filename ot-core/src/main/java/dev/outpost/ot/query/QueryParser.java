package dev.outpost.ot.query;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for the query strings realm-core's {@code Query::get_description()} writes, binding
 * each property against the class's {@link QuerySchema} as it goes. One instance per compilation; not thread-safe.
 * Every failure is a {@link Refused} carrying the refusal; nesting is bounded so hostile input cannot exhaust the
 * stack, and every loop consumes input, so parsing is linear apart from base64 and number decoding.
 */
final class QueryParser
{
    /** Deepest query tree accepted (and/or/not levels; parentheses alone add none). */
    static final int MAX_DEPTH = 100;
    /**
     * Deepest syntactic nesting (parentheses and negations) accepted: bounds the recursion so hostile input cannot
     * exhaust the stack, and leaves room for the canonical form of any tree within {@link #MAX_DEPTH}, which writes
     * every negation as {@code !(...)} (two levels each).
     */
    static final int MAX_NESTING = 4 * MAX_DEPTH;
    private static final int MAX_NUMBER_CHARS = 400;

    /** Stackless carrier of a refusal out of the recursion. */
    static final class Refused extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        final QueryRefusal.Kind kind;
        final String detail;

        Refused(final QueryRefusal.Kind kind, final String detail)
        {
            super(detail, null, false, false);
            this.kind = kind;
            this.detail = detail;
        }
    }

    private sealed interface Operand permits Path, Constant, ConstantList
    {
    }

    private record Path(String field, boolean count) implements Operand
    {
    }

    private record Constant(Literal literal) implements Operand
    {
    }

    private record ConstantList(Literal[] literals) implements Operand
    {
    }

    private final String q;
    private final QuerySchema schema;
    private final Set<String> queryable;
    private int pos;
    private int depth;

    QueryParser(final String query, final QuerySchema schema, final Set<String> queryable)
    {
        this.q = query;
        this.schema = schema;
        this.queryable = queryable;
    }

    Expr parse()
    {
        skipWs();
        if (pos == q.length())
        {
            throw syntax("the query is empty");
        }
        final Expr e = parseOr();
        if (e.depth() > MAX_DEPTH)
        {
            throw unsupported("the query nests deeper than " + MAX_DEPTH + " levels");
        }
        skipWs();
        if (pos < q.length())
        {
            if (keyword("SORT") || keyword("DISTINCT") || keyword("LIMIT"))
            {
                throw unsupported("SORT, DISTINCT and LIMIT are not supported in subscriptions");
            }
            throw syntax("unexpected " + near());
        }
        return e;
    }

    // ------------------------------------------------------------------------------------------ predicates

    private Expr parseOr()
    {
        final Expr first = parseAnd();
        List<Expr> terms = null;
        while (true)
        {
            skipWs();
            if (!(symbol("||") || keyword("or")))
            {
                break;
            }
            if (terms == null)
            {
                terms = new ArrayList<>();
                terms.add(first);
            }
            terms.add(parseAnd());
        }
        return terms == null ? first : new Expr.Junction(false, terms.toArray(new Expr[0]));
    }

    private Expr parseAnd()
    {
        final Expr first = parseUnary();
        List<Expr> terms = null;
        while (true)
        {
            skipWs();
            if (!(symbol("&&") || keyword("and")))
            {
                break;
            }
            if (terms == null)
            {
                terms = new ArrayList<>();
                terms.add(first);
            }
            terms.add(parseUnary());
        }
        return terms == null ? first : new Expr.Junction(true, terms.toArray(new Expr[0]));
    }

    private Expr parseUnary()
    {
        if (++depth > MAX_NESTING)
        {
            throw unsupported("the query nests deeper than " + MAX_DEPTH + " levels");
        }
        try
        {
            skipWs();
            if (peekIs('!') && !peekIs(1, '='))
            {
                pos++;
                return new Expr.Not(parseUnary());
            }
            if (keyword("NOT"))
            {
                return new Expr.Not(parseUnary());
            }
            if (symbol("("))
            {
                final Expr inner = parseOr();
                skipWs();
                if (!symbol(")"))
                {
                    throw syntax("missing ')' " + near());
                }
                return inner;
            }
            if (keyword("TRUEPREDICATE"))
            {
                return Expr.Const.TRUE;
            }
            if (keyword("FALSEPREDICATE"))
            {
                return Expr.Const.FALSE;
            }
            return parseComparison();
        }
        finally
        {
            depth--;
        }
    }

    private Expr parseComparison()
    {
        final Expr.Quantifier quantifier = quantifier();
        final Operand left = parseOperand();
        skipWs();
        final Expr.Op op;
        boolean ignoreCase = false;
        boolean in = false;
        if (keyword("IN"))
        {
            op = Expr.Op.EQ;
            in = true;
        }
        else if (keyword("BETWEEN"))
        {
            throw unsupported("BETWEEN is not supported in subscriptions");
        }
        else
        {
            op = operator();
        }
        if (symbol("[c]"))
        {
            ignoreCase = true;
        }
        else if (peekIs('['))
        {
            throw syntax("unknown operator option " + near());
        }
        skipWs();
        final Expr.Quantifier rightQuantifier = quantifier();
        if (rightQuantifier == Expr.Quantifier.ALL || rightQuantifier == Expr.Quantifier.NONE)
        {
            throw unsupported("ALL and NONE are only supported before a list property");
        }
        final Operand right = parseOperand();
        if (ignoreCase && op.isOrdering())
        {
            throw syntax("[c] is not supported with " + op.text);
        }
        if (left instanceof Path p)
        {
            if (right instanceof Path)
            {
                throw unsupported("comparing two properties is not supported");
            }
            if (in && right instanceof Constant)
            {
                throw syntax("IN needs a list of constants {...} or a list property on its right");
            }
            return bind(p, quantifier, op, ignoreCase, right);
        }
        if (!(right instanceof Path p))
        {
            throw syntax("a comparison needs a property on one side");
        }
        if (left instanceof ConstantList)
        {
            throw unsupported("list-vs-list comparisons are not supported");
        }
        if (quantifier != Expr.Quantifier.SINGLE)
        {
            throw syntax("ANY, ALL and NONE must precede a list property");
        }
        if (in)
        {
            final FieldType type = schema.fieldType(p.field);
            if (!p.count && type != null && !type.isListOrSet() && queryableOrNull(p.field))
            {
                throw unsupported("IN needs a list or set property on its right: '" + p.field + "' is not one");
            }
            return bind(p, rightQuantifier == Expr.Quantifier.SINGLE ? Expr.Quantifier.ANY : rightQuantifier,
                op, ignoreCase, left);
        }
        if (op.isStringOp())
        {
            throw unsupported("the property must be on the left of " + op.text);
        }
        return bind(p, rightQuantifier, op.mirrored(), ignoreCase, left);
    }

    private boolean queryableOrNull(final String field)
    {
        return queryable == null || queryable.contains(field);
    }

    private Expr.Quantifier quantifier()
    {
        skipWs();
        if (keyword("ANY") || keyword("SOME"))
        {
            return Expr.Quantifier.ANY;
        }
        if (keyword("ALL"))
        {
            return Expr.Quantifier.ALL;
        }
        if (keyword("NONE"))
        {
            return Expr.Quantifier.NONE;
        }
        return Expr.Quantifier.SINGLE;
    }

    private Expr.Op operator()
    {
        if (symbol("==") || symbol("="))
        {
            return Expr.Op.EQ;
        }
        if (symbol("!=") || symbol("<>"))
        {
            return Expr.Op.NE;
        }
        if (symbol("<=") || symbol("=<"))
        {
            return Expr.Op.LE;
        }
        if (symbol(">=") || symbol("=>"))
        {
            return Expr.Op.GE;
        }
        if (symbol("<"))
        {
            return Expr.Op.LT;
        }
        if (symbol(">"))
        {
            return Expr.Op.GT;
        }
        if (keyword("BEGINSWITH"))
        {
            return Expr.Op.BEGINSWITH;
        }
        if (keyword("ENDSWITH"))
        {
            return Expr.Op.ENDSWITH;
        }
        if (keyword("CONTAINS"))
        {
            return Expr.Op.CONTAINS;
        }
        if (keyword("LIKE"))
        {
            return Expr.Op.LIKE;
        }
        if (pos == q.length())
        {
            throw syntax("the query ends where an operator was expected");
        }
        throw syntax("expected a comparison operator " + near());
    }

    // ------------------------------------------------------------------------------------------------ binding

    private Expr bind(final Path path, final Expr.Quantifier quantifier, final Expr.Op op, final boolean ignoreCase,
        final Operand constant)
    {
        if (queryable != null && !queryable.contains(path.field))
        {
            throw new Refused(QueryRefusal.Kind.NOT_QUERYABLE, path.field);
        }
        final FieldType type = schema.fieldType(path.field);
        if (type == null)
        {
            throw new Refused(QueryRefusal.Kind.INVALID, "the class has no property '" + clip(path.field) + "'");
        }
        if (type.shape() == FieldType.Shape.DICTIONARY)
        {
            throw unsupported("queries on dictionary property '" + path.field + "' are not supported");
        }
        if (type.element() == ValueKind.OTHER || type.element() == ValueKind.NULL)
        {
            throw unsupported("queries on link or embedded-object property '" + path.field + "' are not supported");
        }
        final Literal[] literals = constant instanceof ConstantList l ? l.literals()
            : new Literal[] {((Constant)constant).literal()};
        final boolean listForm = constant instanceof ConstantList;
        if (path.count)
        {
            if (!type.isListOrSet())
            {
                throw unsupported("@count and @size are only supported on lists and sets");
            }
            if (quantifier != Expr.Quantifier.SINGLE || op.isStringOp() || ignoreCase)
            {
                throw syntax("@count compares with numbers only");
            }
            for (final Literal lit : literals)
            {
                if (lit.type != Literal.Type.NUMBER)
                {
                    throw invalidType(path.field + ".@count", "int", lit);
                }
            }
            return new Expr.Comparison(path.field, false, Expr.Quantifier.SINGLE, true, op, false, literals, listForm);
        }
        if (quantifier != Expr.Quantifier.SINGLE && !type.isListOrSet())
        {
            throw syntax("ANY, ALL and NONE need a list or set property; '" + path.field + "' is not one");
        }
        final ValueKind element = type.element();
        if ((op.isStringOp() || ignoreCase) && element != ValueKind.STRING && element != ValueKind.BINARY
            && element != ValueKind.MIXED)
        {
            throw new Refused(QueryRefusal.Kind.INVALID, (ignoreCase ? "[c]" : op.text)
                + " is only supported on string and binary properties, not on '" + path.field + "'");
        }
        for (final Literal lit : literals)
        {
            if (op.isStringOp() && lit.type != Literal.Type.STRING && element != ValueKind.MIXED)
            {
                throw invalidType(path.field, kindName(element), lit);
            }
            if (!accepts(element, lit.type))
            {
                throw invalidType(path.field, kindName(element), lit);
            }
        }
        final Expr.Quantifier q = quantifier == Expr.Quantifier.SINGLE && type.isListOrSet()
            ? Expr.Quantifier.ANY : quantifier;
        return new Expr.Comparison(path.field, element == ValueKind.MIXED, q, false, op, ignoreCase, literals,
            listForm);
    }

    private static boolean accepts(final ValueKind column, final Literal.Type lit)
    {
        if (lit == Literal.Type.NULL || column == ValueKind.MIXED)
        {
            return true;
        }
        return switch (column)
        {
            case INT, FLOAT, DOUBLE, DECIMAL -> lit == Literal.Type.NUMBER;
            case BOOL -> lit == Literal.Type.BOOL;
            case STRING, BINARY -> lit == Literal.Type.STRING;
            case TIMESTAMP -> lit == Literal.Type.TIMESTAMP;
            case OBJECT_ID -> lit == Literal.Type.OBJECT_ID;
            case UUID -> lit == Literal.Type.UUID;
            default -> false;
        };
    }

    static String kindName(final ValueKind kind)
    {
        return switch (kind)
        {
            case INT -> "int";
            case BOOL -> "bool";
            case STRING -> "string";
            case BINARY -> "binary";
            case TIMESTAMP -> "timestamp";
            case FLOAT -> "float";
            case DOUBLE -> "double";
            case DECIMAL -> "decimal128";
            case OBJECT_ID -> "objectId";
            case UUID -> "uuid";
            case MIXED -> "mixed";
            default -> "unsupported";
        };
    }

    private static String literalTypeName(final Literal.Type type)
    {
        return switch (type)
        {
            case NULL -> "null";
            case NUMBER -> "number";
            case BOOL -> "bool";
            case STRING -> "string";
            case TIMESTAMP -> "timestamp";
            case OBJECT_ID -> "objectId";
            case UUID -> "uuid";
        };
    }

    private Refused invalidType(final String field, final String columnType, final Literal lit)
    {
        return new Refused(QueryRefusal.Kind.INVALID, "unsupported comparison between property '" + clip(field)
            + "' of type '" + columnType + "' and a constant of type '" + literalTypeName(lit.type) + "'");
    }

    // ------------------------------------------------------------------------------------------------ operands

    private Operand parseOperand()
    {
        skipWs();
        if (pos == q.length())
        {
            throw syntax("the query ends where a property or constant was expected");
        }
        final char c = q.charAt(pos);
        if (c == '{')
        {
            pos++;
            final List<Literal> items = new ArrayList<>();
            skipWs();
            if (!symbol("}"))
            {
                do
                {
                    skipWs();
                    if (peekIs('{'))
                    {
                        throw unsupported("nested lists are not supported");
                    }
                    final Operand item = parseOperand();
                    if (!(item instanceof Constant k))
                    {
                        throw unsupported("a list {...} may hold constants only");
                    }
                    items.add(k.literal());
                    skipWs();
                }
                while (symbol(","));
                if (!symbol("}"))
                {
                    throw syntax("missing '}' " + near());
                }
            }
            return new ConstantList(items.toArray(new Literal[0]));
        }
        if (c == '"' || c == '\'')
        {
            return new Constant(Literal.string(quoted()));
        }
        if (c == '$')
        {
            throw unsupported("query arguments ($0, ...) are not supported; realm-core sends constants inline");
        }
        if (c == '@')
        {
            throw unsupported("'" + word(pos + 1) + "' is not supported in subscriptions");
        }
        if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'))
        {
            return new Constant(number());
        }
        if (!identStart(c))
        {
            throw syntax("unexpected " + near());
        }
        if (startsWithIgnoreCase("B64\"") )
        {
            pos += 3;
            final byte[] encoded = quoted();
            try
            {
                return new Constant(Literal.string(Base64.getDecoder().decode(encoded)));
            }
            catch (final IllegalArgumentException ex)
            {
                throw syntax("invalid base64 in a B64\"...\" constant");
            }
        }
        if (c == 'T' && isTimestampAhead())
        {
            return new Constant(timestamp());
        }
        if (c == 'L' && isTimestampAhead())
        {
            throw unsupported("link constants (L<table>:<key>) are not supported in subscriptions");
        }
        if (keyword("NULL") || keyword("NIL"))
        {
            return new Constant(Literal.NULL);
        }
        if (keyword("true"))
        {
            return new Constant(Literal.TRUE);
        }
        if (keyword("false"))
        {
            return new Constant(Literal.FALSE);
        }
        if (isNumberWord())
        {
            return new Constant(number());
        }
        if (callAhead("oid"))
        {
            final String hex = callArgument();
            if (hex.length() != 24 || !isHex(hex))
            {
                throw syntax("oid(...) needs 24 hexadecimal digits");
            }
            return new Constant(Literal.objectId(HexFormat.of().parseHex(hex)));
        }
        if (callAhead("uuid"))
        {
            final String text = callArgument();
            final String hex = text.replace("-", "");
            if (text.length() != 36 || hex.length() != 32 || !isHex(hex) || text.charAt(8) != '-'
                || text.charAt(13) != '-' || text.charAt(18) != '-' || text.charAt(23) != '-')
            {
                throw syntax("uuid(...) needs the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
            }
            return new Constant(Literal.uuid(HexFormat.of().parseHex(hex)));
        }
        if (callAhead("SUBQUERY"))
        {
            throw unsupported("SUBQUERY is not supported in subscriptions");
        }
        if (callAhead("binary"))
        {
            // realm-core 14 writes binary constants as binary("...") or binary(B64"...").
            pos = q.indexOf('(', pos) + 1;
            skipWs();
            final Operand inner = pos < q.length() && (peekIs('"') || peekIs('\'') || startsWithIgnoreCase("B64\""))
                ? parseOperand() : null;
            skipWs();
            if (!(inner instanceof Constant k) || k.literal().type != Literal.Type.STRING || !symbol(")"))
            {
                throw syntax("binary(...) needs one string constant");
            }
            return inner;
        }
        if (callAhead("obj"))
        {
            throw unsupported("'" + word(pos) + "(...)' constants are not supported in subscriptions");
        }
        return path();
    }

    private Path path()
    {
        final String field = word(pos);
        pos += field.length();
        if (pos < q.length() && q.charAt(pos) == '.')
        {
            pos++;
            if (peekIs('@'))
            {
                final String agg = word(pos + 1);
                pos += 1 + agg.length();
                if (agg.equals("count") || agg.equals("size"))
                {
                    if (peekIs('.'))
                    {
                        throw syntax("unexpected " + near());
                    }
                    return new Path(field, true);
                }
                throw unsupported("'@" + clip(agg) + "' is not supported in subscriptions (only @count and @size)");
            }
            throw unsupported("paths through links or embedded objects ('" + clip(field) + "." + clip(word(pos))
                + "') are not supported in subscriptions");
        }
        if (peekIs('['))
        {
            if (!startsWithIgnoreCase("[c]"))
            {
                throw unsupported("subscripts ('" + clip(field) + "[...]') are not supported in subscriptions");
            }
        }
        return new Path(field, false);
    }

    private byte[] quoted()
    {
        final char quote = q.charAt(pos++);
        final StringBuilder sb = new StringBuilder();
        while (true)
        {
            if (pos >= q.length())
            {
                throw syntax("unterminated string constant");
            }
            final char c = q.charAt(pos++);
            if (c == quote)
            {
                break;
            }
            if (c == '\\')
            {
                if (pos >= q.length())
                {
                    throw syntax("unterminated string constant");
                }
                final char e = q.charAt(pos++);
                sb.append(switch (e)
                {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> e;
                });
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private boolean isNumberWord()
    {
        final String w = word(pos).toLowerCase(java.util.Locale.ROOT);
        return w.equals("nan") || w.equals("inf") || w.equals("infinity");
    }

    private Literal number()
    {
        final int start = pos;
        if (peekIs('+') || peekIs('-'))
        {
            pos++;
        }
        final boolean negative = q.charAt(start) == '-';
        if (pos < q.length() && identStart(q.charAt(pos)))
        {
            final String w = word(pos).toLowerCase(java.util.Locale.ROOT);
            pos += w.length();
            switch (w)
            {
                case "nan":
                    return Literal.number(null, Double.NaN);
                case "inf":
                case "infinity":
                    return Literal.number(null, negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                default:
                    throw syntax("invalid number " + clip(q.substring(start, pos)));
            }
        }
        if (startsWithIgnoreCase("0x"))
        {
            pos += 2;
            final int digits = pos;
            while (pos < q.length() && Character.digit(q.charAt(pos), 16) >= 0)
            {
                pos++;
            }
            if (pos == digits || pos - digits > 16)
            {
                throw syntax("invalid hexadecimal number " + clip(q.substring(start, pos)));
            }
            final long v = Long.parseUnsignedLong(q.substring(digits, pos), 16);
            final BigDecimal d = new BigDecimal(new java.math.BigInteger(Long.toUnsignedString(v)));
            final BigDecimal exact = negative ? d.negate() : d;
            return Literal.number(exact, exact.doubleValue());
        }
        final int mantissa = pos;
        while (pos < q.length() && isDigit(q.charAt(pos)))
        {
            pos++;
        }
        if (peekIs('.'))
        {
            pos++;
            while (pos < q.length() && isDigit(q.charAt(pos)))
            {
                pos++;
            }
        }
        if (pos == mantissa || (pos == mantissa + 1 && q.charAt(mantissa) == '.'))
        {
            throw syntax("invalid number " + near(start));
        }
        if (peekIs('e') || peekIs('E'))
        {
            pos++;
            if (peekIs('+') || peekIs('-'))
            {
                pos++;
            }
            final int exp = pos;
            while (pos < q.length() && isDigit(q.charAt(pos)))
            {
                pos++;
            }
            if (pos == exp)
            {
                throw syntax("invalid number " + near(start));
            }
        }
        if (pos < q.length() && identPart(q.charAt(pos)))
        {
            throw syntax("invalid number " + near(start));
        }
        if (pos - start > MAX_NUMBER_CHARS)
        {
            throw syntax("a number constant is longer than " + MAX_NUMBER_CHARS + " characters");
        }
        final String text = q.substring(q.charAt(start) == '+' ? start + 1 : start, pos);
        try
        {
            return Literal.number(new BigDecimal(text), Double.parseDouble(text));
        }
        catch (final NumberFormatException ex)
        {
            throw syntax("number out of range " + clip(text));
        }
    }

    private boolean isTimestampAhead()
    {
        int i = pos + 1;
        if (i < q.length() && q.charAt(i) == '-')
        {
            i++;
        }
        final int digits = i;
        while (i < q.length() && isDigit(q.charAt(i)))
        {
            i++;
        }
        return i > digits && i < q.length() && q.charAt(i) == ':';
    }

    private Literal timestamp()
    {
        pos++;
        final long seconds = integer(19, "timestamp seconds");
        pos++; // ':'
        final long nanos = integer(10, "timestamp nanoseconds");
        if (nanos <= -1_000_000_000L || nanos >= 1_000_000_000L || (seconds > 0 && nanos < 0)
            || (seconds < 0 && nanos > 0))
        {
            throw syntax("invalid timestamp nanoseconds " + nanos);
        }
        if (pos < q.length() && identPart(q.charAt(pos)))
        {
            throw syntax("invalid timestamp " + near());
        }
        return Literal.timestamp(seconds, (int)nanos);
    }

    private long integer(final int maxDigits, final String what)
    {
        final int start = pos;
        if (peekIs('-'))
        {
            pos++;
        }
        final int digits = pos;
        while (pos < q.length() && isDigit(q.charAt(pos)))
        {
            pos++;
        }
        if (pos == digits || pos - digits > maxDigits)
        {
            throw syntax("invalid " + what);
        }
        try
        {
            return Long.parseLong(q.substring(start, pos));
        }
        catch (final NumberFormatException ex)
        {
            throw syntax("invalid " + what);
        }
    }

    private boolean callAhead(final String name)
    {
        if (!startsWithIgnoreCase(name))
        {
            return false;
        }
        int i = pos + name.length();
        while (i < q.length() && isWs(q.charAt(i)))
        {
            i++;
        }
        return i < q.length() && q.charAt(i) == '(' && word(pos).length() == name.length();
    }

    private String callArgument()
    {
        pos = q.indexOf('(', pos) + 1;
        final int close = q.indexOf(')', pos);
        if (close < 0)
        {
            throw syntax("missing ')' " + near());
        }
        final String arg = q.substring(pos, close).strip();
        pos = close + 1;
        return arg;
    }

    // ------------------------------------------------------------------------------------------------ lexing

    private static boolean isWs(final char c)
    {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static boolean isDigit(final char c)
    {
        return c >= '0' && c <= '9';
    }

    private static boolean identStart(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '#' || c > 0x7f;
    }

    private static boolean identPart(final char c)
    {
        return identStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isHex(final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            if (Character.digit(s.charAt(i), 16) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private String word(final int from)
    {
        int i = from;
        while (i < q.length() && identPart(q.charAt(i)))
        {
            i++;
        }
        return q.substring(from, i);
    }

    private void skipWs()
    {
        while (pos < q.length() && isWs(q.charAt(pos)))
        {
            pos++;
        }
    }

    private boolean peekIs(final char c)
    {
        return pos < q.length() && q.charAt(pos) == c;
    }

    private boolean peekIs(final int ahead, final char c)
    {
        return pos + ahead < q.length() && q.charAt(pos + ahead) == c;
    }

    private boolean startsWithIgnoreCase(final String s)
    {
        return q.regionMatches(true, pos, s, 0, s.length());
    }

    private boolean symbol(final String s)
    {
        if (q.startsWith(s, pos))
        {
            pos += s.length();
            return true;
        }
        return false;
    }

    private boolean keyword(final String kw)
    {
        if (startsWithIgnoreCase(kw) && (pos + kw.length() == q.length() || !identPart(q.charAt(pos + kw.length()))))
        {
            pos += kw.length();
            return true;
        }
        return false;
    }

    private String near()
    {
        return near(pos);
    }

    private String near(final int at)
    {
        if (at >= q.length())
        {
            return "at the end";
        }
        return "at offset " + at + " ('" + clip(q.substring(at, Math.min(q.length(), at + 20))) + "')";
    }

    static String clip(final String s)
    {
        return QueryRefusal.echo(s.length() > 60 ? s.substring(0, 60) : s) + (s.length() > 60 ? "..." : "");
    }

    private static Refused syntax(final String detail)
    {
        return new Refused(QueryRefusal.Kind.BAD_SYNTAX, detail);
    }

    private static Refused unsupported(final String detail)
    {
        return new Refused(QueryRefusal.Kind.UNSUPPORTED, detail);
    }
}
