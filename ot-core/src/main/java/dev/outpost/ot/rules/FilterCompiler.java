package dev.outpost.ot.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.outpost.ot.query.FieldType;
import dev.outpost.ot.query.ValueKind;

/**
 * Compiles a MongoDB query document (App Services document filter, {@code apply_when}, partition permission) into a
 * {@link Node} tree. With a {@link RuleContext} expansions are resolved to constants; without one (validation at
 * start) they are only checked and the tree is never evaluated. Single use, not thread-safe.
 */
final class FilterCompiler
{
    /** Deepest nesting of {@code $and/$or/$nor/$not} accepted. */
    static final int MAX_DEPTH = 32;

    private static final Set<String> UNSUPPORTED_OPERATORS = Set.of("$regex", "$options", "$elemMatch", "$size",
        "$all", "$type", "$mod", "$text", "$where", "$expr", "$jsonSchema", "$geoWithin", "$geoIntersects", "$near",
        "$nearSphere", "$bitsAllSet", "$bitsAnySet", "$bitsAllClear", "$bitsAnyClear", "$search");
    private static final String SUPPORTED = "$eq $ne $gt $gte $lt $lte $in $nin $exists $not $and $or $nor";

    private final FilterScope scope;
    private final RuleContext ctx;

    FilterCompiler(final FilterScope scope, final RuleContext ctx)
    {
        this.scope = scope;
        this.ctx = ctx;
    }

    private static RuleRefusal refuse(final RuleRefusal.Kind kind, final String key, final String why)
    {
        return new RuleRefusal(kind, key, why);
    }

    private static String child(final String key, final String name)
    {
        return key.isEmpty() ? name : key + "." + name;
    }

    /** @return the filter of a whole document (or true/false). */
    Node document(final Object json, final String key, final int depth)
    {
        if (json instanceof Boolean b)
        {
            return b ? Node.Const.TRUE : Node.Const.FALSE;
        }
        if (!(json instanceof Map<?, ?> map))
        {
            throw refuse(RuleRefusal.Kind.SYNTAX, key, "must be a query document (a JSON object) or true/false");
        }
        if (depth > MAX_DEPTH)
        {
            throw refuse(RuleRefusal.Kind.SYNTAX, key, "nested deeper than " + MAX_DEPTH + " levels");
        }
        final List<Node> terms = new ArrayList<>(map.size());
        for (final Map.Entry<?, ?> e : map.entrySet())
        {
            terms.add(clause(String.valueOf(e.getKey()), e.getValue(), key, depth));
        }
        return Node.junction(true, terms);
    }

    private Node clause(final String k, final Object v, final String parent, final int depth)
    {
        final String key = child(parent, k);
        if ("$and".equals(k) || "$or".equals(k) || "$nor".equals(k))
        {
            if (!(v instanceof List<?> list) || list.isEmpty())
            {
                throw refuse(RuleRefusal.Kind.SYNTAX, key, "must be a non-empty array of query documents");
            }
            final List<Node> terms = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++)
            {
                terms.add(document(list.get(i), key + "[" + i + "]", depth + 1));
            }
            return "$and".equals(k) ? Node.junction(true, terms) : "$or".equals(k) ? Node.junction(false, terms) :
                Node.not(Node.junction(false, terms));
        }
        if ("$comment".equals(k))
        {
            return Node.Const.TRUE;
        }
        if (k.startsWith("$"))
        {
            throw refuse(UNSUPPORTED_OPERATORS.contains(k) ? RuleRefusal.Kind.UNSUPPORTED : RuleRefusal.Kind.SYNTAX,
                key, "'" + RuleRefusal.clip(k) + "' is not an operator Device Sync rules support at the top of a " +
                "filter (supported: " + SUPPORTED + ")");
        }
        if (k.startsWith("%%"))
        {
            final Operand left = expansion(k, key);
            final Node test = value("", v, key, depth);
            if (ctx == null)
            {
                return Node.Const.TRUE; // validating: not evaluated
            }
            return test.evaluate(new ConstView(left)) ? Node.Const.TRUE : Node.Const.FALSE;
        }
        if (k.startsWith("%"))
        {
            throw refuse(RuleRefusal.Kind.NOT_SYNC_COMPATIBLE, key, "the " + RuleRefusal.clip(k) + " operator " +
                "(functions, %stringToOid...) is not sync-compatible: Device Sync resolves rules once at session " +
                "start");
        }
        field(k, key);
        return value(k, v, key, depth);
    }

    /** Checks that {@code k} may be filtered on in this scope. */
    private void field(final String k, final String key)
    {
        switch (scope.subject)
        {
            case USER -> throw refuse(RuleRefusal.Kind.NOT_SYNC_COMPATIBLE, key, "apply_when reads the document " +
                "field '" + RuleRefusal.clip(k) + "': with Device Sync the role is chosen at session start, before " +
                "any document is read; use %%user, %%values, %%environment only");
            case PARTITION -> throw refuse(RuleRefusal.Kind.NOT_SYNC_COMPATIBLE, key, "a partition permission " +
                "may use %%partition, %%user, %%values and %%environment, not the field '" + RuleRefusal.clip(k) +
                "'");
            default ->
            {
            }
        }
        if (k.isEmpty())
        {
            throw refuse(RuleRefusal.Kind.SYNTAX, key, "an empty field name");
        }
        if (k.indexOf('.') >= 0)
        {
            throw refuse(RuleRefusal.Kind.UNSUPPORTED, key, "'" + RuleRefusal.clip(k) + "' is a dotted path: " +
                "fields of embedded objects are not queryable with Device Sync");
        }
        if ("_id".equals(k))
        {
            return;
        }
        if (scope.queryable != null && !scope.queryable.contains(k))
        {
            throw refuse(RuleRefusal.Kind.NOT_QUERYABLE, key, "'" + RuleRefusal.clip(k) + "' is not a queryable " +
                "field" + (scope.className == null ? "" : " of " + RuleRefusal.clip(scope.className)) + " (sync " +
                "configuration: queryable_fields_names / collection_queryable_fields_names)");
        }
        if (scope.schema != null)
        {
            final FieldType t = scope.schema.fieldType(k);
            if (t == null)
            {
                throw refuse(RuleRefusal.Kind.NOT_QUERYABLE, key, "'" + RuleRefusal.clip(k) + "' is not a property" +
                    (scope.className == null ? "" : " of " + RuleRefusal.clip(scope.className)));
            }
            if (t.element() == ValueKind.OTHER || t.shape() == FieldType.Shape.DICTIONARY)
            {
                throw refuse(RuleRefusal.Kind.NOT_QUERYABLE, key, "'" + RuleRefusal.clip(k) + "' is a link, " +
                    "embedded object or dictionary, which rules cannot filter on");
            }
        }
    }

    /** @return the test of a field's value: an operator document, or an implicit {@code $eq}. */
    private Node value(final String field, final Object v, final String key, final int depth)
    {
        if (v instanceof Map<?, ?> map && !Operand.isExtendedJson(map) && !map.isEmpty())
        {
            final String first = String.valueOf(map.keySet().iterator().next());
            if (first.startsWith("$"))
            {
                return operators(field, map, key, depth);
            }
        }
        return test(field, Node.Op.EQ, new Operand[] {operand(v, key)});
    }

    private Node operators(final String field, final Map<?, ?> map, final String key, final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            throw refuse(RuleRefusal.Kind.SYNTAX, key, "nested deeper than " + MAX_DEPTH + " levels");
        }
        final List<Node> terms = new ArrayList<>(map.size());
        for (final Map.Entry<?, ?> e : map.entrySet())
        {
            final String op = String.valueOf(e.getKey());
            final String k = child(key, op);
            final Object arg = e.getValue();
            if (!op.startsWith("$"))
            {
                throw refuse(RuleRefusal.Kind.SYNTAX, k, "an operator document mixes operators and field names");
            }
            switch (op)
            {
                case "$eq" -> terms.add(test(field, Node.Op.EQ, new Operand[] {operand(arg, k)}));
                case "$ne" -> terms.add(Node.not(test(field, Node.Op.EQ, new Operand[] {operand(arg, k)})));
                case "$gt", "$gte", "$lt", "$lte" ->
                {
                    if (arg instanceof List)
                    {
                        throw refuse(RuleRefusal.Kind.UNSUPPORTED, k, op + " takes a single value, not an array");
                    }
                    final Node.Op which = switch (op)
                    {
                        case "$gt" -> Node.Op.GT;
                        case "$gte" -> Node.Op.GTE;
                        case "$lt" -> Node.Op.LT;
                        default -> Node.Op.LTE;
                    };
                    // an expansion giving an array (rare) orders with nothing: matches nothing
                    terms.add(test(field, which, new Operand[] {operand(arg, k)}));
                }
                case "$in", "$nin" ->
                {
                    final Node in = test(field, Node.Op.IN, list(arg, k));
                    terms.add("$in".equals(op) ? in : Node.not(in));
                }
                case "$exists" ->
                {
                    final boolean exists;
                    if (arg instanceof Boolean b)
                    {
                        exists = b;
                    }
                    else if (arg instanceof Number n)
                    {
                        exists = n.doubleValue() != 0;
                    }
                    else
                    {
                        throw refuse(RuleRefusal.Kind.SYNTAX, k, "must be true or false");
                    }
                    terms.add(test(field, Node.Op.EXISTS, new Operand[] {Operand.bool(exists)}));
                }
                case "$not" ->
                {
                    if (!(arg instanceof Map<?, ?> inner) || inner.isEmpty() || Operand.isExtendedJson(inner) ||
                        !String.valueOf(inner.keySet().iterator().next()).startsWith("$"))
                    {
                        throw refuse(RuleRefusal.Kind.SYNTAX, k, "must be an operator document, e.g. " +
                            "{\"$not\": {\"$gt\": 5}}");
                    }
                    terms.add(Node.not(operators(field, inner, k, depth + 1)));
                }
                default -> throw refuse(UNSUPPORTED_OPERATORS.contains(op) ? RuleRefusal.Kind.UNSUPPORTED :
                    RuleRefusal.Kind.SYNTAX, k, "'" + RuleRefusal.clip(op) + "' is not an operator Device Sync " +
                    "rules support (supported: " + SUPPORTED + ")");
            }
        }
        return Node.junction(true, terms);
    }

    private Node test(final String field, final Node.Op op, final Operand[] operands)
    {
        if (op == Node.Op.IN && operands.length == 0)
        {
            return Node.Const.FALSE;
        }
        return new Node.FieldTest(field, op, operands);
    }

    /** @return the operands of {@code $in}/{@code $nin}: an array, or an expansion giving one. */
    private Operand[] list(final Object arg, final String key)
    {
        if (arg instanceof String s && s.startsWith("%%"))
        {
            final Operand o = expansion(s, key);
            return switch (o.kind)
            {
                case ARRAY -> o.items;
                case MISSING -> new Operand[0];
                default -> new Operand[] {o};
            };
        }
        if (!(arg instanceof List<?> list))
        {
            throw refuse(RuleRefusal.Kind.SYNTAX, key, "must be an array");
        }
        final Operand[] items = new Operand[list.size()];
        for (int i = 0; i < items.length; i++)
        {
            items[i] = operand(list.get(i), key + "[" + i + "]");
        }
        return items;
    }

    /** @return the operand of a value position: a literal, an array of literals, or an expansion. */
    private Operand operand(final Object v, final String key)
    {
        if (v instanceof String s && s.startsWith("%%"))
        {
            return expansion(s, key);
        }
        if (v instanceof List<?> list)
        {
            final Operand[] items = new Operand[list.size()];
            for (int i = 0; i < items.length; i++)
            {
                final Object item = list.get(i);
                if (item instanceof List)
                {
                    throw refuse(RuleRefusal.Kind.UNSUPPORTED, key + "[" + i + "]", "nested arrays are not " +
                        "queryable with Device Sync");
                }
                items[i] = operand(item, key + "[" + i + "]");
            }
            return Operand.array(items);
        }
        final Operand o = Operand.scalar(v, key);
        if (o != null)
        {
            return o;
        }
        final Map<?, ?> map = (Map<?, ?>)v;
        final String first = map.isEmpty() ? "" : String.valueOf(map.keySet().iterator().next());
        if (first.startsWith("%"))
        {
            throw refuse(RuleRefusal.Kind.NOT_SYNC_COMPATIBLE, child(key, first), "the " + RuleRefusal.clip(first) +
                " operator (functions, %stringToOid...) is not sync-compatible: Device Sync resolves rules once " +
                "at session start");
        }
        if (first.startsWith("$"))
        {
            throw refuse(RuleRefusal.Kind.SYNTAX, child(key, first), "an operator where a value belongs");
        }
        throw refuse(RuleRefusal.Kind.UNSUPPORTED, key, "an embedded document: whole embedded objects are not " +
            "queryable with Device Sync");
    }

    /** @return the value of an expansion (checked; {@link Operand#UNKNOWN} while validating). */
    private Operand expansion(final String text, final String key)
    {
        final Object value = Expansions.resolve(text, scope, ctx, key);
        return ctx == null ? Operand.UNKNOWN : value == Expansions.MISSING ? Operand.MISSING :
            Operand.fromValue(value);
    }
}
