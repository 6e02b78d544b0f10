package dev.outpost.server.sync.writer;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddColumn;
import dev.outpost.ot.model.AddTable;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.EraseColumn;
import dev.outpost.ot.model.EraseTable;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.TableData;
import dev.outpost.ot.state.TableType;
import dev.outpost.server.config.SyncSettings;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The app's schema with development mode off (App Services export: {@code schema.json} per collection and
 * {@code development_mode_enabled: false}): the schema instructions of an uploaded changeset must agree with it, as
 * Atlas required. A client may declare what the schema has (AddTable of a schema class with its primary key,
 * AddColumn of a schema property with its type, nullability and link target), in any order and any subset; anything
 * else (a class or property the schema lacks, another type, EraseTable, EraseColumn, a class asymmetric on one side
 * only) refuses the upload with 225 (invalid_schema_change) for that session, nothing of it stored.
 * <p>
 * bsonType to realm column type: {@code string} String, {@code int}/{@code long} Int, {@code bool} Bool,
 * {@code double} Double, {@code float} Float, {@code decimal} Decimal128, {@code objectId} ObjectId, {@code uuid}
 * UUID, {@code date} Timestamp, {@code binData} Binary, {@code mixed} Mixed; {@code array<T>} a list or set of T;
 * a link column has the bsonType of its target's {@code _id}; {@code object} is an embedded object (link to an
 * embedded class) or a dictionary. Embedded classes are not named in the export's summary, so their own properties
 * are not checked. Single-valued, non-link properties are nullable exactly when the schema does not require them.
 * <p>
 * Immutable, thread-safe; used on the writer, one scan of a changeset's instructions per new changeset.
 */
public final class SchemaCheck
{
    private final Map<String, SyncSettings.ClassSchema> classes;
    private final Set<String> asymmetric;

    private SchemaCheck(final Map<String, SyncSettings.ClassSchema> classes, final List<String> asymmetric)
    {
        this.classes = classes;
        this.asymmetric = Set.copyOf(asymmetric);
    }

    /**
     * @param settings the app's sync settings, or null.
     * @return the check, or null when nothing is checked (no settings, development mode on, or no schemas).
     */
    public static SchemaCheck of(final SyncSettings settings)
    {
        if (null == settings || settings.developmentMode() || settings.schemas().isEmpty())
        {
            return null;
        }
        return new SchemaCheck(settings.schemas(), settings.asymmetricTables());
    }

    /**
     * @param cs    a changeset not integrated yet.
     * @param state the server file's object state (which classes are embedded), read only.
     * @return null if its schema instructions agree with the schema, else why not (the 225 message).
     */
    public String refusal(final Changeset cs, final ObjectState state)
    {
        Set<String> embeddedHere = null;
        for (final Instruction i : cs.instructions())
        {
            if (!i.isSchema())
            {
                continue;
            }
            final String why;
            if (i instanceof AddTable t)
            {
                if (t.isEmbedded())
                {
                    if (null == embeddedHere)
                    {
                        embeddedHere = new HashSet<>();
                    }
                    embeddedHere.add(t.table());
                    why = classes.containsKey(t.table()) ? "class '" + t.table() + "' is a collection in the " +
                        "schema, not an embedded class" : null;
                }
                else
                {
                    why = addTable(t);
                }
            }
            else if (i instanceof AddColumn c)
            {
                why = addColumn(c, state, embeddedHere);
            }
            else if (i instanceof EraseTable)
            {
                why = "removing class '" + i.table() + "' is not allowed";
            }
            else if (i instanceof EraseColumn c)
            {
                why = "removing property '" + c.table() + "." + c.field() + "' is not allowed";
            }
            else
            {
                why = null;
            }
            if (null != why)
            {
                return "invalid schema change (development mode is off, the schema comes from the app's " +
                    "schema.json files): " + why;
            }
        }
        return null;
    }

    private String addTable(final AddTable t)
    {
        final SyncSettings.ClassSchema schema = classes.get(t.table());
        if (null == schema)
        {
            return "class '" + t.table() + "' is not in the schema";
        }
        final boolean isAsymmetric = t.tableType() == Instr.TABLE_TOP_LEVEL_ASYMMETRIC;
        if (isAsymmetric != asymmetric.contains(t.table()))
        {
            return "class '" + t.table() + "' is " + (isAsymmetric ? "" : "not ") + "asymmetric in the client's " +
                "schema but " + (isAsymmetric ? "not " : "") + "in asymmetric_tables";
        }
        final String pkType = schema.properties().get(t.pkField());
        if (null == pkType)
        {
            return "primary key '" + t.table() + "." + t.pkField() + "' is not in the schema";
        }
        if (realmType(pkType) != t.pkType())
        {
            return "primary key '" + t.table() + "." + t.pkField() + "' is " + pkType + " in the schema";
        }
        if (t.pkNullable() == schema.required().contains(t.pkField()))
        {
            return "primary key '" + t.table() + "." + t.pkField() + "' is " + (t.pkNullable() ? "" : "not ") +
                "optional in the client's schema but " + (t.pkNullable() ? "required" : "optional") +
                " in the schema";
        }
        return null;
    }

    private String addColumn(final AddColumn c, final ObjectState state, final Set<String> embeddedHere)
    {
        final String name = "'" + c.table() + "." + c.field() + "'";
        final SyncSettings.ClassSchema schema = classes.get(c.table());
        if (null == schema)
        {
            if ((null != embeddedHere && embeddedHere.contains(c.table())) || isEmbedded(state, c.table()))
            {
                return null; // embedded classes' properties are not in the export's summary
            }
            return "property " + name + " of a class that is not in the schema";
        }
        final String type = schema.properties().get(c.field());
        if (null == type)
        {
            return "property " + name + " is not in the schema";
        }
        final boolean collection = c.collectionType() != Instr.COLLECTION_SINGLE;
        final String mismatch = name + " is " + type + " in the schema";
        if ("object".equals(type))
        {
            // a dictionary (its value type is not in the summary) or a link to an embedded object
            final boolean ok = c.collectionType() == Instr.COLLECTION_DICTIONARY ||
                (!collection && c.valueType() == Instr.TYPE_LINK && !classes.containsKey(c.linkTargetTable()));
            return ok ? null : mismatch;
        }
        if (type.startsWith("array<"))
        {
            if (c.collectionType() != Instr.COLLECTION_LIST && c.collectionType() != Instr.COLLECTION_SET)
            {
                return mismatch;
            }
            return element(c, type.substring("array<".length(), type.length() - 1)) ? null : mismatch;
        }
        if (collection || !element(c, type))
        {
            return mismatch;
        }
        if (c.valueType() != Instr.TYPE_LINK && c.valueType() != 0 &&
            c.nullable() == schema.required().contains(c.field()))
        {
            return name + " is " + (c.nullable() ? "optional" : "required") + " in the client's schema but " +
                (c.nullable() ? "required" : "optional") + " in the schema";
        }
        return null;
    }

    /** @return whether the column's value type (or link target) is the schema's bsonType {@code type}. */
    private boolean element(final AddColumn c, final String type)
    {
        if (c.valueType() == Instr.TYPE_LINK)
        {
            final SyncSettings.ClassSchema target = classes.get(c.linkTargetTable());
            if (null == target)
            {
                return "object".equals(type); // an embedded object
            }
            return type.equals(target.properties().get("_id"));
        }
        return realmType(type) == c.valueType();
    }

    private static boolean isEmbedded(final ObjectState state, final String table)
    {
        final TableData t = null == state ? null : state.table(table);
        return null != t && t.type() == TableType.EMBEDDED;
    }

    /**
     * @param bsonType a JSON schema bsonType.
     * @return the realm column type ({@code Instr.TYPE_*}, 0 for Mixed), or {@link Integer#MIN_VALUE} if none.
     */
    static int realmType(final String bsonType)
    {
        return switch (bsonType)
        {
            case "string" -> Instr.TYPE_STRING;
            case "int", "long" -> Instr.TYPE_INT;
            case "bool" -> Instr.TYPE_BOOL;
            case "double" -> Instr.TYPE_DOUBLE;
            case "float" -> Instr.TYPE_FLOAT;
            case "decimal" -> Instr.TYPE_DECIMAL;
            case "objectId" -> Instr.TYPE_OBJECT_ID;
            case "uuid" -> Instr.TYPE_UUID;
            case "date" -> Instr.TYPE_TIMESTAMP;
            case "binData" -> Instr.TYPE_BINARY;
            case "mixed" -> 0;
            default -> Integer.MIN_VALUE;
        };
    }
}
