package dev.outpost.server.inspect;

import dev.outpost.codec.changeset.ChangesetPrinter;
import dev.outpost.ot.state.ColumnSpec;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.TableData;
import dev.outpost.ot.state.Value;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * An {@link ObjectState} as JSON for {@code outpost inspect --objects --json} and the admin console's data browser.
 */
public final class ObjectsJson
{
    private static final String[] COLLECTIONS = {"single", "list", "dictionary", "set"};

    private ObjectsJson()
    {
    }

    static JsonArray classes(final ObjectState state, final String onlyClass)
    {
        final JsonArray classes = new JsonArray();
        for (final TableData t : state.tables().values())
        {
            if (null != onlyClass && !onlyClass.equals(t.name()))
            {
                continue;
            }
            final JsonObject c = schema(t);
            final JsonArray objects = new JsonArray();
            for (final Map.Entry<Value, ObjectData> e : t.objects().entrySet())
            {
                objects.add(object(e.getValue()));
            }
            c.put("objects", objects);
            classes.add(c);
        }
        return classes;
    }

    /**
     * @param t a class.
     * @return its name, type, primary key and columns (no objects).
     */
    public static JsonObject schema(final TableData t)
    {
        final JsonObject c = new JsonObject().put("name", t.name()).put("type", t.type().name());
        if (null != t.pkField())
        {
            c.put("primary_key", new JsonObject().put("field", t.pkField())
                .put("type", ChangesetPrinter.typeName(t.pkType())).put("nullable", t.pkNullable()));
        }
        final JsonArray columns = new JsonArray();
        for (final ColumnSpec col : t.columns().values())
        {
            final JsonObject j = new JsonObject().put("name", col.name())
                .put("type", ChangesetPrinter.typeName(col.type())).put("nullable", col.nullable())
                .put("collection", col.collection() >= 0 && col.collection() < COLLECTIONS.length ?
                    COLLECTIONS[col.collection()] : String.valueOf(col.collection()));
            if (null != col.linkTarget())
            {
                j.put("link_target", col.linkTarget());
            }
            columns.add(j);
        }
        c.put("columns", columns);
        return c;
    }

    /**
     * @param o an object.
     * @return its fields as JSON.
     */
    public static JsonObject object(final ObjectData o)
    {
        final JsonObject j = new JsonObject();
        for (final Map.Entry<String, Value> f : o.fields().entrySet())
        {
            j.put(f.getKey(), value(f.getValue()));
        }
        return j;
    }

    static Object value(final Value v)
    {
        if (v instanceof Value.Int i)
        {
            return i.value();
        }
        if (v instanceof Value.Bool b)
        {
            return b.value();
        }
        if (v instanceof Value.Str s)
        {
            return s.value();
        }
        if (v instanceof Value.Bin b)
        {
            return new JsonObject().put("binary", Base64.getEncoder().encodeToString(b.bytes()));
        }
        if (v instanceof Value.Timestamp t)
        {
            return new JsonObject().put("timestamp", Instant.ofEpochSecond(t.seconds(), t.nanos()).toString());
        }
        if (v instanceof Value.FloatValue f)
        {
            return finite(Float.intBitsToFloat(f.bits()));
        }
        if (v instanceof Value.DoubleValue d)
        {
            return finite(Double.longBitsToDouble(d.bits()));
        }
        if (v instanceof Value.ObjectIdValue id)
        {
            return new JsonObject().put("oid", HexFormat.of().formatHex(id.bytes()));
        }
        if (v instanceof Value.UuidValue u)
        {
            final String hex = HexFormat.of().formatHex(u.bytes());
            return new JsonObject().put("uuid", hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" +
                hex.substring(12, 16) + "-" + hex.substring(16, 20) + "-" + hex.substring(20));
        }
        if (v instanceof Value.Link l)
        {
            return new JsonObject().put("link", l.table()).put("key", value(l.key()));
        }
        if (v instanceof Value.Embedded e)
        {
            return object(e.object());
        }
        if (v instanceof Value.ListValue l)
        {
            final JsonArray a = new JsonArray();
            l.items().forEach(i -> a.add(value(i)));
            return a;
        }
        if (v instanceof Value.SetValue s)
        {
            final JsonArray a = new JsonArray();
            s.items().forEach(i -> a.add(value(i)));
            return new JsonObject().put("set", a);
        }
        if (v instanceof Value.DictValue d)
        {
            final JsonObject o = new JsonObject();
            d.entries().forEach((k, i) -> o.put(k, value(i)));
            return new JsonObject().put("dictionary", o);
        }
        if (v instanceof Value.Null)
        {
            return null;
        }
        final StringBuilder sb = new StringBuilder(); // Decimal128 and anything newer: canonical text
        v.appendTo(sb, "");
        return sb.toString();
    }

    private static Object finite(final double d)
    {
        return Double.isFinite(d) ? (Object)d : Double.toString(d);
    }
}
