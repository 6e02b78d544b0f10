package dev.outpost.server.mirror;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ColumnSpec;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.TableData;
import dev.outpost.ot.state.Value;
import dev.outpost.server.sync.writer.ServerChangesetCommand;
import dev.outpost.server.inspect.ExtendedJson;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One captured row change (an outbox row, its values read back with their column types) turned into a server
 * changeset against the server file's current state: the column mapping of {@link PgMapping} in reverse.
 * <ul>
 *   <li>INSERT: CreateObject (an upsert in realm), then a Set of every column of the class;</li>
 *   <li>UPDATE: a Set of each column whose value changed (so a concurrent client edit of another field is kept and
 *       one of the same field is merged by realm's rule: the later timestamp wins); nothing if the object is gone
 *       (realm drops writes to erased objects); a new primary key is an EraseObject and a CreateObject;</li>
 *   <li>DELETE: EraseObject, or nothing if the object is gone already (an outbox row integrated twice after a crash
 *       has no second effect).</li>
 * </ul>
 * Lists and sets are written as a Clear and their elements, dictionaries as a Clear and their entries. Columns the
 * class does not have (added with SQL), the partition column and the key are not Sets. What cannot be a valid
 * changeset (no such class, a null key, a value of the wrong type, a null in a required field, an embedded object)
 * is a {@link ServerChangesetCommand.Refused} naming it. Runs on the server file's writer thread; immutable.
 *
 * @param table     the class.
 * @param op        {@code I}, {@code U} or {@code D}.
 * @param oldRow    the row before (UPDATE, DELETE), column name to JDBC value, else null.
 * @param newRow    the row after (INSERT, UPDATE), else null.
 * @param changed   UPDATE: the columns whose values differ.
 * @param partition the partition column (PBS), or null: never a field.
 */
record PgInboundChange(String table, char op, Map<String, Object> oldRow, Map<String, Object> newRow,
    Set<String> changed, String partition) implements ServerChangesetCommand.Builder
{
    private static final Object[] NO_PATH = new Object[0];

    @Override
    public byte[] build(final ObjectState state) throws ServerChangesetCommand.Refused
    {
        final TableData t = state.table(table);
        if (null == t || t.isEmbedded() || null == t.pkField())
        {
            throw new ServerChangesetCommand.Refused("the server file has no class '" + table + "' with a primary " +
                "key (no client has synced it yet)");
        }
        final ChangesetBuilder b = new ChangesetBuilder();
        switch (op)
        {
            case 'I' ->
            {
                final Value key = key(t, newRow);
                b.createObject(table, key);
                setAll(b, state, t, key);
            }
            case 'U' ->
            {
                final Value oldKey = key(t, oldRow);
                final Value key = key(t, newRow);
                if (0 != Value.ORDER.compare(oldKey, key))
                {
                    if (null != t.object(oldKey))
                    {
                        b.eraseObject(table, oldKey);
                    }
                    b.createObject(table, key);
                    setAll(b, state, t, key);
                }
                else
                {
                    if (null == t.object(key))
                    {
                        return null; // erased meanwhile: realm drops writes to an erased object
                    }
                    for (final String column : changed)
                    {
                        final ColumnSpec c = t.column(column);
                        if (null != c && !column.equals(t.pkField()) && !column.equals(partition))
                        {
                            set(b, state, key, c, newRow.get(column));
                        }
                    }
                }
            }
            case 'D' ->
            {
                final Value key = key(t, oldRow);
                if (null == t.object(key))
                {
                    return null;
                }
                b.eraseObject(table, key);
            }
            default -> throw new ServerChangesetCommand.Refused("unknown operation '" + op + "'");
        }
        if (b.changeset().instructions().isEmpty())
        {
            return null;
        }
        return new ChangesetWriter().toBytes(b.changeset());
    }

    private void setAll(final ChangesetBuilder b, final ObjectState state, final TableData t, final Value key)
        throws ServerChangesetCommand.Refused
    {
        for (final ColumnSpec c : t.columns().values())
        {
            if (!c.name().equals(t.pkField()) && !c.name().equals(partition) && newRow.containsKey(c.name()))
            {
                set(b, state, key, c, newRow.get(c.name()));
            }
        }
    }

    private Value key(final TableData t, final Map<String, Object> row) throws ServerChangesetCommand.Refused
    {
        final Object raw = row.get(t.pkField());
        if (null == raw)
        {
            throw new ServerChangesetCommand.Refused("missing primary key '" + t.pkField() + "'");
        }
        return scalar(t.pkField(), t.pkType(), raw);
    }

    private void set(final ChangesetBuilder b, final ObjectState state, final Value key, final ColumnSpec c,
        final Object raw) throws ServerChangesetCommand.Refused
    {
        final String field = c.name();
        if (c.collection() != Instr.COLLECTION_SINGLE)
        {
            final Value v = null == raw ? null : json(field, (String)raw);
            b.clear(table, key, field, NO_PATH, c.collection());
            if (null == v)
            {
                return; // NULL: an empty collection
            }
            if (c.collection() == Instr.COLLECTION_LIST || c.collection() == Instr.COLLECTION_SET)
            {
                if (!(v instanceof Value.ListValue l))
                {
                    throw wrongType(field, "a JSON array");
                }
                long i = 0;
                for (final Value item : l.items())
                {
                    final Value e = element(state, c, item);
                    if (c.collection() == Instr.COLLECTION_LIST)
                    {
                        b.arrayInsert(table, key, field, new Object[]{i}, e.type(), e, i);
                        i++;
                    }
                    else
                    {
                        b.setInsert(table, key, field, NO_PATH, e.type(), e);
                    }
                }
            }
            else
            {
                if (!(v instanceof Value.Embedded d))
                {
                    throw wrongType(field, "a JSON object");
                }
                for (final Map.Entry<String, Value> e : d.object().fields().entrySet())
                {
                    final Value x = element(state, c, e.getValue());
                    b.update(table, key, field, new Object[]{e.getKey()}, x.type(), x, false, -1);
                }
            }
            return;
        }
        final Value v = single(state, c, raw);
        b.update(table, key, field, NO_PATH, v.type(), v, false, -1);
    }

    private Value single(final ObjectState state, final ColumnSpec c, final Object raw)
        throws ServerChangesetCommand.Refused
    {
        if (null == raw)
        {
            if (!c.acceptsNull())
            {
                throw new ServerChangesetCommand.Refused("column '" + c.name() + "' is required in realm: NULL is " +
                    "not a value of it");
            }
            return Value.Null.INSTANCE;
        }
        if (c.isMixed())
        {
            final Value v = json(c.name(), (String)raw);
            if (v instanceof Value.Embedded || v instanceof Value.ListValue)
            {
                throw new ServerChangesetCommand.Refused("column '" + c.name() + "': a mixed value from SQL is a " +
                    "scalar (nested collections and links are not written back)");
            }
            return v;
        }
        if (c.type() == Instr.TYPE_LINK)
        {
            final TableData target = c.isObjectLink() ? state.table(c.linkTarget()) : null;
            if (null == target || target.isEmbedded() || null == target.pkField())
            {
                throw new ServerChangesetCommand.Refused("column '" + c.name() + "': embedded objects are not " +
                    "written back from SQL");
            }
            return new Value.Link(c.linkTarget(), scalar(c.name(), target.pkType(), raw));
        }
        return scalar(c.name(), c.type(), raw);
    }

    /** An element of a list, set or dictionary: a JSON value, coerced to the column's type. */
    private Value element(final ObjectState state, final ColumnSpec c, final Value item)
        throws ServerChangesetCommand.Refused
    {
        if (item instanceof Value.Null)
        {
            if (!c.acceptsNull())
            {
                throw new ServerChangesetCommand.Refused("column '" + c.name() + "' holds no nulls in realm");
            }
            return item;
        }
        if (c.isMixed())
        {
            if (item instanceof Value.Embedded || item instanceof Value.ListValue)
            {
                throw new ServerChangesetCommand.Refused("column '" + c.name() + "': nested collections are not " +
                    "written back from SQL");
            }
            return item;
        }
        if (c.type() == Instr.TYPE_LINK)
        {
            final TableData target = c.isObjectLink() ? state.table(c.linkTarget()) : null;
            if (null == target || target.isEmbedded() || null == target.pkField())
            {
                throw new ServerChangesetCommand.Refused("column '" + c.name() + "': embedded objects are not " +
                    "written back from SQL");
            }
            return new Value.Link(c.linkTarget(), coerce(c.name(), target.pkType(), item));
        }
        return coerce(c.name(), c.type(), item);
    }

    private static Value coerce(final String field, final int type, final Value v)
        throws ServerChangesetCommand.Refused
    {
        if (v.type() == type)
        {
            return v;
        }
        if (v instanceof Value.Int i)
        {
            switch (type)
            {
                case Instr.TYPE_DOUBLE ->
                {
                    return Value.DoubleValue.of(i.value());
                }
                case Instr.TYPE_FLOAT ->
                {
                    return Value.FloatValue.of(i.value());
                }
                case Instr.TYPE_DECIMAL ->
                {
                    return decimal(field, BigDecimal.valueOf(i.value()));
                }
                default ->
                {
                }
            }
        }
        if (v instanceof Value.DoubleValue d && type == Instr.TYPE_FLOAT)
        {
            return Value.FloatValue.of((float)Double.longBitsToDouble(d.bits()));
        }
        if (v instanceof Value.Str s)
        {
            return scalar(field, type, s.value());
        }
        throw wrongType(field, ColumnSpecNames.of(type));
    }

    /** A column value of a scalar Realm type from its JDBC value. */
    private static Value scalar(final String field, final int type, final Object raw)
        throws ServerChangesetCommand.Refused
    {
        try
        {
            return switch (type)
            {
                case Instr.TYPE_INT -> new Value.Int(integral(field, raw));
                case Instr.TYPE_BOOL -> (Boolean)raw ? Value.Bool.TRUE : Value.Bool.FALSE;
                case Instr.TYPE_STRING -> new Value.Str((String)raw);
                case Instr.TYPE_BINARY -> new Value.Bin((byte[])raw);
                case Instr.TYPE_TIMESTAMP ->
                {
                    final OffsetDateTime t = raw instanceof OffsetDateTime o ? o : OffsetDateTime.parse((String)raw);
                    yield new Value.Timestamp(t.toEpochSecond(), t.getNano());
                }
                case Instr.TYPE_FLOAT -> Value.FloatValue.of(((Number)raw).floatValue());
                case Instr.TYPE_DOUBLE -> Value.DoubleValue.of(((Number)raw).doubleValue());
                case Instr.TYPE_DECIMAL -> decimal(field, raw instanceof BigDecimal d ? d :
                    new BigDecimal(raw.toString()));
                case Instr.TYPE_OBJECT_ID ->
                {
                    final String hex = (String)raw;
                    if (hex.length() != 24)
                    {
                        throw wrongType(field, "an ObjectId (24 hex digits)");
                    }
                    yield new Value.ObjectIdValue(HexFormat.of().parseHex(hex));
                }
                case Instr.TYPE_UUID ->
                {
                    final UUID u = raw instanceof UUID x ? x : UUID.fromString((String)raw);
                    yield new Value.UuidValue(ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                        .putLong(u.getLeastSignificantBits()).array());
                }
                default -> throw new ServerChangesetCommand.Refused("column '" + field + "' is of a type not " +
                    "written back from SQL");
            };
        }
        catch (final ClassCastException | IllegalArgumentException | java.time.DateTimeException ex)
        {
            throw wrongType(field, ColumnSpecNames.of(type));
        }
    }

    private static long integral(final String field, final Object raw) throws ServerChangesetCommand.Refused
    {
        if (raw instanceof Long || raw instanceof Integer || raw instanceof Short)
        {
            return ((Number)raw).longValue();
        }
        if (raw instanceof BigDecimal d)
        {
            try
            {
                return d.longValueExact();
            }
            catch (final ArithmeticException ex)
            {
                throw wrongType(field, "an int (64 bits)");
            }
        }
        if (raw instanceof String s)
        {
            return Long.parseLong(s);
        }
        throw wrongType(field, "an int");
    }

    private static Value decimal(final String field, final BigDecimal d) throws ServerChangesetCommand.Refused
    {
        final Value v = json(field, "{\"$numberDecimal\":\"" + d.toString() + "\"}");
        if (!(v instanceof Value.Decimal))
        {
            throw wrongType(field, "a decimal128");
        }
        return v;
    }

    /** A jsonb value (MongoDB extended JSON, as the mirror writes it) as a realm value. */
    private static Value json(final String field, final String text) throws ServerChangesetCommand.Refused
    {
        try
        {
            final ObjectData o = ExtendedJson.document("_", new JsonObject("{\"v\":" + text + "}"));
            return o.fields().get("v");
        }
        catch (final DecodeException | ClassCastException ex)
        {
            throw wrongType(field, "JSON");
        }
        catch (final ExtendedJson.Unsupported ex)
        {
            throw new ServerChangesetCommand.Refused("column '" + field + "': " + ex.getMessage());
        }
    }

    private static ServerChangesetCommand.Refused wrongType(final String field, final String expected)
    {
        return new ServerChangesetCommand.Refused("column '" + field + "': the value is not " + expected);
    }

    /** Realm type names for messages. */
    private static final class ColumnSpecNames
    {
        static String of(final int type)
        {
            return switch (type)
            {
                case Instr.TYPE_INT -> "an int";
                case Instr.TYPE_BOOL -> "a bool";
                case Instr.TYPE_STRING -> "a string";
                case Instr.TYPE_BINARY -> "binary data";
                case Instr.TYPE_TIMESTAMP -> "a date";
                case Instr.TYPE_FLOAT -> "a float";
                case Instr.TYPE_DOUBLE -> "a double";
                case Instr.TYPE_DECIMAL -> "a decimal128";
                case Instr.TYPE_OBJECT_ID -> "an ObjectId";
                case Instr.TYPE_UUID -> "a UUID";
                default -> "of the column's type";
            };
        }
    }
}
