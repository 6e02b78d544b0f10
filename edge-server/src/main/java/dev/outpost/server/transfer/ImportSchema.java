package dev.outpost.server.transfer;

import dev.outpost.codec.changeset.ChangesetPrinter;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ColumnSpec;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.Value;
import dev.outpost.server.config.SyncSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The realm schema an import writes: per class its primary-key type and columns, taken from the app's
 * {@code schema.json} (an App Services export) where it declares them, else inferred from the documents (the
 * first non-null value of a field fixes its type; scalars are optional, lists of scalars too, embedded documents
 * are embedded objects of the class {@code <class>_<field>}; the app's {@code asymmetric_tables} stay asymmetric).
 * A document that does not fit is refused with the
 * reason and changes nothing. Single-threaded.
 */
final class ImportSchema
{
    /** One class. */
    static final class Table
    {
        final String name;
        final boolean embedded;
        /** An asymmetric (Data Ingest) class of the app's sync settings: clients insert, never receive. */
        boolean asymmetric;
        int pkType = Instr.TYPE_NULL;
        final Map<String, ColumnSpec> columns = new LinkedHashMap<>();
        final Map<String, Boolean> declared = new LinkedHashMap<>();

        Table(final String name, final boolean embedded)
        {
            this.name = name;
            this.embedded = embedded;
        }
    }

    private final Map<String, Table> tables = new LinkedHashMap<>();

    /**
     * @param settings the app's sync settings, or null: everything is inferred.
     */
    ImportSchema(final SyncSettings settings)
    {
        if (null == settings)
        {
            return;
        }
        for (final SyncSettings.ClassSchema c : settings.schemas().values())
        {
            final Table t = table(c.name(), false);
            t.asymmetric = settings.asymmetricTables().contains(c.name());
            for (final Map.Entry<String, String> p : c.properties().entrySet())
            {
                final String bson = p.getValue();
                final boolean list = bson.startsWith("array<");
                final String element = list ? bson.substring(6, bson.length() - 1) : bson;
                final int type = realmType(element);
                if (type == Instr.TYPE_NULL)
                {
                    continue; // not a type an import writes: inferred from the documents
                }
                final boolean required = c.required().contains(p.getKey());
                if ("_id".equals(p.getKey()))
                {
                    t.pkType = type;
                    continue;
                }
                final String target = type == Instr.TYPE_LINK ? c.name() + "_" + p.getKey() : null;
                if (null != target)
                {
                    table(target, true);
                }
                t.columns.put(p.getKey(), new ColumnSpec(p.getKey(), type,
                    type == Instr.TYPE_LINK ? !list : (!required && !list), list ? Instr.COLLECTION_LIST :
                    Instr.COLLECTION_SINGLE, target, 0));
                t.declared.put(p.getKey(), Boolean.TRUE);
            }
        }
    }

    /** @return the realm type of a schema.json {@code bsonType}, or TYPE_NULL if an import does not write it. */
    static int realmType(final String bsonType)
    {
        return switch (bsonType)
        {
            case "objectId" -> Instr.TYPE_OBJECT_ID;
            case "string" -> Instr.TYPE_STRING;
            case "int", "long" -> Instr.TYPE_INT;
            case "double" -> Instr.TYPE_DOUBLE;
            case "float" -> Instr.TYPE_FLOAT;
            case "decimal" -> Instr.TYPE_DECIMAL;
            case "bool" -> Instr.TYPE_BOOL;
            case "date" -> Instr.TYPE_TIMESTAMP;
            case "binData", "binary" -> Instr.TYPE_BINARY;
            case "uuid" -> Instr.TYPE_UUID;
            case "object" -> Instr.TYPE_LINK;
            default -> Instr.TYPE_NULL;
        };
    }

    private Table table(final String name, final boolean embedded)
    {
        return tables.computeIfAbsent(name, n -> new Table(n, embedded));
    }

    /**
     * Fit a document of {@code table} to the schema (values converted where the declared type asks: an integer to
     * a double or a Decimal128), extending the schema with what it adds.
     *
     * @return null if it fits, else why it is refused (nothing changed).
     */
    String admit(final String table, final ObjectData doc)
    {
        final Value id = doc.fields().get("_id");
        if (null == id || id instanceof Value.Null)
        {
            return "no _id (realm objects need a primary key)";
        }
        final int idType = id.type();
        if (idType != Instr.TYPE_INT && idType != Instr.TYPE_STRING && idType != Instr.TYPE_OBJECT_ID &&
            idType != Instr.TYPE_UUID)
        {
            return "_id of type " + ChangesetPrinter.typeName(idType) + " (a realm primary key is an int, string, " +
                "ObjectId or UUID)";
        }
        final Table existing = tables.get(table);
        if (null != existing && existing.pkType != Instr.TYPE_NULL && existing.pkType != idType)
        {
            return "_id is " + ChangesetPrinter.typeName(idType) + ", the class's primary key is " +
                ChangesetPrinter.typeName(existing.pkType);
        }
        final List<Runnable> additions = new ArrayList<>();
        if (null == existing || existing.pkType == Instr.TYPE_NULL)
        {
            additions.add(() -> table(table, false).pkType = idType);
        }
        final String problem = fields(table, doc, additions);
        if (null != problem)
        {
            return problem;
        }
        additions.forEach(Runnable::run);
        return null;
    }

    private String fields(final String table, final ObjectData doc, final List<Runnable> additions)
    {
        final Table t = tables.get(table);
        for (final Map.Entry<String, Value> e : doc.fields().entrySet())
        {
            final String field = e.getKey();
            if ("_id".equals(field) && !(null != t && t.embedded))
            {
                continue;
            }
            final ColumnSpec known = null == t ? null : t.columns.get(field);
            final Value v = e.getValue();
            final String problem;
            if (v instanceof Value.Null)
            {
                problem = null != known && !known.nullable() && known.collection() == Instr.COLLECTION_SINGLE ?
                    "field '" + field + "' is null, the schema requires it" : null;
            }
            else if (v instanceof Value.ListValue l)
            {
                problem = list(table, field, known, l, additions);
            }
            else
            {
                problem = single(table, field, known, e, additions);
            }
            if (null != problem)
            {
                return problem;
            }
        }
        return null;
    }

    private String single(final String table, final String field, final ColumnSpec known,
        final Map.Entry<String, Value> e, final List<Runnable> additions)
    {
        final Value v = e.getValue();
        if (null != known && known.collection() != Instr.COLLECTION_SINGLE)
        {
            return "field '" + field + "' is a single value, the class has a list there";
        }
        final Value fitted = fit(v, null == known ? v.type() == Instr.TYPE_OBJECT_VALUE ? Instr.TYPE_LINK : v.type() :
            known.type());
        if (null == fitted)
        {
            return "field '" + field + "' is " + ChangesetPrinter.typeName(v.type()) + ", the class has " +
                ChangesetPrinter.typeName(known.type());
        }
        if (fitted != v)
        {
            e.setValue(fitted);
        }
        if (v instanceof Value.Embedded em)
        {
            final String target = table + "_" + field;
            if (null == known)
            {
                additions.add(() -> addColumn(table, new ColumnSpec(field, Instr.TYPE_LINK, true,
                    Instr.COLLECTION_SINGLE, target, 0), target));
            }
            return embedded(target, em.object(), additions);
        }
        if (null == known)
        {
            additions.add(() -> addColumn(table, new ColumnSpec(field, v.type(), true, Instr.COLLECTION_SINGLE,
                null, 0), null));
        }
        return null;
    }

    private String list(final String table, final String field, final ColumnSpec known, final Value.ListValue l,
        final List<Runnable> additions)
    {
        if (null != known && known.collection() != Instr.COLLECTION_LIST)
        {
            return "field '" + field + "' is an array, the class has a single value there";
        }
        int type = null == known ? Instr.TYPE_NULL : known.type();
        boolean nulls = false;
        final String target = table + "_" + field;
        for (int i = 0; i < l.items().size(); i++)
        {
            final Value item = l.items().get(i);
            if (item instanceof Value.Null)
            {
                nulls = true;
                continue;
            }
            final int itemType = item.type() == Instr.TYPE_OBJECT_VALUE ? Instr.TYPE_LINK : item.type();
            if (type == Instr.TYPE_NULL)
            {
                type = itemType;
            }
            final Value fitted = fit(item, type);
            if (null == fitted)
            {
                return "field '" + field + "' item " + i + " is " + ChangesetPrinter.typeName(item.type()) +
                    ", the list holds " + ChangesetPrinter.typeName(type) + " (realm lists hold one type)";
            }
            l.items().set(i, fitted);
            if (item instanceof Value.Embedded em)
            {
                final String problem = embedded(target, em.object(), additions);
                if (null != problem)
                {
                    return problem;
                }
            }
        }
        if (nulls && (type == Instr.TYPE_LINK || (null != known && !known.nullable())))
        {
            return "field '" + field + "' holds null items, the list cannot";
        }
        if (null == known && type != Instr.TYPE_NULL)
        {
            final int t = type;
            additions.add(() -> addColumn(table, new ColumnSpec(field, t, t != Instr.TYPE_LINK,
                Instr.COLLECTION_LIST, t == Instr.TYPE_LINK ? target : null, 0), t == Instr.TYPE_LINK ? target : null));
        }
        return null;
    }

    private String embedded(final String target, final ObjectData o, final List<Runnable> additions)
    {
        if (!tables.containsKey(target))
        {
            additions.add(() -> table(target, true));
        }
        return fields(target, o, additions);
    }

    private void addColumn(final String table, final ColumnSpec spec, final String target)
    {
        if (null != target)
        {
            table(target, true);
        }
        table(table, false).columns.putIfAbsent(spec.name(), spec);
    }

    /** @return {@code v} as a value of column type {@code type}, or null if it cannot be one. */
    private static Value fit(final Value v, final int type)
    {
        final int vt = v.type() == Instr.TYPE_OBJECT_VALUE ? Instr.TYPE_LINK : v.type();
        if (vt == type)
        {
            return v;
        }
        if (v instanceof Value.Int i && type == Instr.TYPE_DOUBLE)
        {
            return Value.DoubleValue.of(i.value());
        }
        if (v instanceof Value.Int i && type == Instr.TYPE_FLOAT)
        {
            return Value.FloatValue.of(i.value());
        }
        if (v instanceof Value.DoubleValue d && type == Instr.TYPE_FLOAT)
        {
            return Value.FloatValue.of((float)Double.longBitsToDouble(d.bits()));
        }
        if (v instanceof Value.Int i && type == Instr.TYPE_DECIMAL)
        {
            final java.math.BigInteger c = java.math.BigInteger.valueOf(i.value()).abs();
            return new Value.Decimal(c.longValue(), c.shiftRight(64).longValue(), 0, i.value() < 0);
        }
        return null;
    }

    /** @return the column of {@code table}, or null if unknown (never seen with a value). */
    ColumnSpec column(final String table, final String field)
    {
        final Table t = tables.get(table);
        return null == t ? null : t.columns.get(field);
    }

    /** Emit AddTable for every class and AddColumn for every column known so far (idempotent on the server). */
    void emit(final ChangesetBuilder b)
    {
        for (final Table t : tables.values())
        {
            if (t.embedded)
            {
                b.addTable(t.name, Instr.TABLE_EMBEDDED, null, 0, false);
            }
            else if (t.pkType != Instr.TYPE_NULL)
            {
                b.addTable(t.name, t.asymmetric ? Instr.TABLE_TOP_LEVEL_ASYMMETRIC : Instr.TABLE_TOP_LEVEL, "_id",
                    t.pkType, false);
            }
        }
        for (final Table t : tables.values())
        {
            if (!t.embedded && t.pkType == Instr.TYPE_NULL)
            {
                continue;
            }
            for (final ColumnSpec c : t.columns.values())
            {
                b.addColumn(t.name, c.name(), c.type(), c.nullable(), c.collection(), c.linkTarget(), 0);
            }
        }
    }

    /** @return one line per class and column, marking inferred columns. */
    String summary()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Table t : tables.values())
        {
            if (!t.embedded && t.pkType == Instr.TYPE_NULL)
            {
                continue;
            }
            sb.append(t.embedded ? "embedded class " : t.asymmetric ? "asymmetric class " : "class ").append(t.name);
            if (!t.embedded)
            {
                sb.append(" (_id ").append(ChangesetPrinter.typeName(t.pkType)).append(')');
            }
            sb.append('\n');
            for (final ColumnSpec c : t.columns.values())
            {
                sb.append("  ").append(c.name()).append(": ")
                    .append(c.collection() == Instr.COLLECTION_LIST ? "list of " : "")
                    .append(null != c.linkTarget() ? c.linkTarget() : ChangesetPrinter.typeName(c.type()))
                    .append(c.nullable() && c.collection() == Instr.COLLECTION_SINGLE ? " (optional)" : "")
                    .append(t.declared.containsKey(c.name()) ? " [schema.json]" : " [inferred]").append('\n');
            }
        }
        return sb.toString();
    }
}
