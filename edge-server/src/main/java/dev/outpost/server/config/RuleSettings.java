package dev.outpost.server.config;

import dev.outpost.ot.query.FieldType;
import dev.outpost.ot.query.QuerySchema;
import dev.outpost.ot.query.ValueKind;
import dev.outpost.ot.rules.FilterScope;
import dev.outpost.ot.rules.PartitionRules;
import dev.outpost.ot.rules.RuleRefusal;
import dev.outpost.ot.rules.RuleValues;
import dev.outpost.ot.rules.Rules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An app's permission rules as configuration gives them: from an App Services export (see
 * {@link AppServicesExport}) or from the app's {@code rules:} in Outpost's config file:
 * <pre>
 * rules:
 *   values: {name: value}                # %%values.name
 *   environment: {tag: prod, values: {}} # %%environment.*
 *   default: {roles: [...]}              # as default_rule.json
 *   classes:
 *     Item: {roles: [...]}               # as a collection's rules.json
 *   partition: {read: ..., write: ...}   # PBS: true/false or an expression over %%partition and %%user
 * </pre>
 * Everything is checked here, at start: what Device Sync could not honour is a {@link ConfigException} naming the
 * file and key. Stateless.
 */
public final class RuleSettings
{
    private static final Set<String> YAML_KEYS = Set.of("values", "environment", "default", "classes", "partition");

    private RuleSettings()
    {
    }

    /**
     * @param value a JSON-like value from Vert.x JSON or SnakeYAML.
     * @return the same as plain Java values the rules engine reads: Map (in order), List, String, Long, Double,
     * BigDecimal, Boolean, null; a YAML timestamp as Extended JSON {@code {"$date": "<ISO>"}}.
     */
    public static Object plain(final Object value)
    {
        if (value instanceof JsonObject o)
        {
            return plain(o.getMap());
        }
        if (value instanceof JsonArray a)
        {
            return plain(a.getList());
        }
        if (value instanceof Map<?, ?> m)
        {
            final Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        if (value instanceof List<?> l)
        {
            final List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(plain(v)));
            return out;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte)
        {
            return ((Number)value).longValue();
        }
        if (value instanceof Float f)
        {
            return f.doubleValue();
        }
        if (value instanceof BigInteger i)
        {
            return i.bitLength() < 64 ? (Object)i.longValue() : new BigDecimal(i);
        }
        if (value instanceof java.util.Date d)
        {
            return Map.of("$date", d.toInstant().toString());
        }
        return value;
    }

    /**
     * @param className a class.
     * @param sync      the app's sync settings, or null.
     * @param values    the app's values.
     * @return the scope of that class's document filters: its queryable fields (global and its own; any field
     * when the settings declare none), its schema when the export has one.
     */
    static FilterScope documents(final String className, final SyncSettings sync, final RuleValues values)
    {
        Set<String> queryable = null;
        QuerySchema schema = null;
        if (null != sync)
        {
            final List<String> fields = null == className ? sync.queryableFields() :
                sync.queryableFieldsOf(className);
            final boolean declared = !sync.queryableFields().isEmpty() ||
                !sync.collectionQueryableFields().isEmpty();
            if (declared)
            {
                queryable = new HashSet<>(fields);
            }
            final SyncSettings.ClassSchema cls = null == className ? null : sync.schemas().get(className);
            if (null != cls)
            {
                schema = schemaOf(cls);
            }
        }
        return FilterScope.documents(className, schema, queryable, values);
    }

    private static QuerySchema schemaOf(final SyncSettings.ClassSchema cls)
    {
        final Map<String, FieldType> columns = new LinkedHashMap<>();
        cls.properties().forEach((name, bson) -> columns.put(name, fieldType(bson)));
        columns.putIfAbsent("_id", new FieldType(ValueKind.MIXED, FieldType.Shape.SINGLE, false));
        return columns::get;
    }

    private static FieldType fieldType(final String bson)
    {
        if (bson.startsWith("array<"))
        {
            final FieldType inner = fieldType(bson.substring(6, bson.length() - 1));
            return new FieldType(inner.element(), FieldType.Shape.LIST, true);
        }
        final ValueKind kind = switch (bson)
        {
            case "string" -> ValueKind.STRING;
            case "int", "long" -> ValueKind.INT;
            case "bool" -> ValueKind.BOOL;
            case "double" -> ValueKind.DOUBLE;
            case "decimal" -> ValueKind.DECIMAL;
            case "objectId" -> ValueKind.OBJECT_ID;
            case "uuid" -> ValueKind.UUID;
            case "binData" -> ValueKind.BINARY;
            case "date" -> ValueKind.TIMESTAMP;
            case "mixed" -> ValueKind.MIXED;
            default -> ValueKind.OTHER; // object (embedded, links), unknown
        };
        return new FieldType(kind, FieldType.Shape.SINGLE, true);
    }

    /**
     * An app's {@code rules:} from Outpost's config file.
     *
     * @param raw    the value of {@code rules} (a mapping).
     * @param sync   the app's sync settings, or null.
     * @param origin the key's origin ({@code config file X, key apps[0].rules}), for errors.
     * @return the rules.
     * @throws ConfigException naming the key.
     */
    static Rules fromYaml(final Object raw, final SyncSettings sync, final String origin)
    {
        final Object plain = plain(raw);
        if (!(plain instanceof Map<?, ?> map))
        {
            throw new ConfigException(ServerConfig.APPS_PROP, origin, "must be a mapping (values, environment, " +
                "default, classes, partition)");
        }
        for (final Object k : map.keySet())
        {
            if (!YAML_KEYS.contains(String.valueOf(k)))
            {
                throw new ConfigException(ServerConfig.APPS_PROP, origin + "." + k, "unknown rules key; supported: " +
                    "values, environment, default, classes, partition");
            }
        }
        final RuleValues values = new RuleValues(mapping(map.get("values"), origin + ".values"),
            mapping(map.get("environment"), origin + ".environment"));
        final Rules.Builder b = new Rules.Builder(values);
        try
        {
            if (null != map.get("default"))
            {
                b.defaultRoles(Rules.parseDocument(map.get("default"), documents(null, sync, values)));
            }
        }
        catch (final RuleRefusal r)
        {
            throw refused(origin + ".default", r);
        }
        final Map<String, Object> classes = mapping(map.get("classes"), origin + ".classes");
        for (final Map.Entry<String, Object> e : classes.entrySet())
        {
            try
            {
                b.roles(e.getKey(), Rules.parseDocument(e.getValue(), documents(e.getKey(), sync, values)));
            }
            catch (final RuleRefusal r)
            {
                throw refused(origin + ".classes." + e.getKey(), r);
            }
        }
        if (null != map.get("partition"))
        {
            final Map<String, Object> p = mapping(map.get("partition"), origin + ".partition");
            for (final String k : p.keySet())
            {
                if (!"read".equals(k) && !"write".equals(k))
                {
                    throw new ConfigException(ServerConfig.APPS_PROP, origin + ".partition." + k, "unknown key; a " +
                        "partition permission has read and write");
                }
            }
            b.partition(partition(p.get("read"), p.get("write"), values, origin + ".partition"));
        }
        return b.build();
    }

    /**
     * @param read   {@code permissions.read}.
     * @param write  {@code permissions.write}.
     * @param values the app's values.
     * @param origin where they are, for errors ({@code ... key partition.permissions}).
     * @return the checked partition permissions.
     */
    static PartitionRules partition(final Object read, final Object write, final RuleValues values,
        final String origin)
    {
        try
        {
            return PartitionRules.parse(plain(read), plain(write), values);
        }
        catch (final RuleRefusal r)
        {
            throw refused(origin, r);
        }
    }

    static ConfigException refused(final String origin, final RuleRefusal r)
    {
        return new ConfigException(ServerConfig.APPS_PROP, r.key().isEmpty() ? origin : origin + "." + r.key(),
            r.detail());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapping(final Object value, final String origin)
    {
        if (null == value)
        {
            return Map.of();
        }
        if (!(value instanceof Map))
        {
            throw new ConfigException(ServerConfig.APPS_PROP, origin, "must be a mapping");
        }
        return (Map<String, Object>)value;
    }
}
