package dev.outpost.ot.query;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.state.ColumnSpec;
import dev.outpost.ot.state.TableData;

/** {@link QuerySchema} over a class of today's object state ({@link TableData} columns). */
public final class StateSchema implements QuerySchema
{
    private final TableData table;

    /** @param table the class; read during compilation only, on the thread that owns the state. */
    public StateSchema(final TableData table)
    {
        this.table = table;
    }

    @Override
    public FieldType fieldType(final String field)
    {
        final ColumnSpec c = table.column(field);
        return c == null ? null : of(c);
    }

    /** @return the query view of a column. */
    public static FieldType of(final ColumnSpec c)
    {
        final FieldType.Shape shape = switch (c.collection())
        {
            case Instr.COLLECTION_LIST -> FieldType.Shape.LIST;
            case Instr.COLLECTION_SET -> FieldType.Shape.SET;
            case Instr.COLLECTION_DICTIONARY -> FieldType.Shape.DICTIONARY;
            default -> FieldType.Shape.SINGLE;
        };
        final ValueKind element = c.type() == Instr.TYPE_NULL ? ValueKind.MIXED : kindOf(c.type());
        return new FieldType(element, shape, c.acceptsNull());
    }

    /** @return the kind of a value of realm's type {@code type} ({@code Instr.TYPE_*}), NULL for null. */
    static ValueKind kindOf(final int type)
    {
        return switch (type)
        {
            case Instr.TYPE_NULL -> ValueKind.NULL;
            case Instr.TYPE_INT -> ValueKind.INT;
            case Instr.TYPE_BOOL -> ValueKind.BOOL;
            case Instr.TYPE_STRING -> ValueKind.STRING;
            case Instr.TYPE_BINARY -> ValueKind.BINARY;
            case Instr.TYPE_TIMESTAMP -> ValueKind.TIMESTAMP;
            case Instr.TYPE_FLOAT -> ValueKind.FLOAT;
            case Instr.TYPE_DOUBLE -> ValueKind.DOUBLE;
            case Instr.TYPE_DECIMAL -> ValueKind.DECIMAL;
            case Instr.TYPE_OBJECT_ID -> ValueKind.OBJECT_ID;
            case Instr.TYPE_UUID -> ValueKind.UUID;
            default -> ValueKind.OTHER;
        };
    }
}
