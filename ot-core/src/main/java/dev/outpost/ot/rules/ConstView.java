package dev.outpost.ot.rules;

import java.math.BigDecimal;

import dev.outpost.ot.query.ObjectView;
import dev.outpost.ot.query.ValueKind;

/** An {@link ObjectView} whose every field holds one operand: evaluates a clause whose left side is an expansion. */
final class ConstView implements ObjectView
{
    private final Operand value;

    ConstView(final Operand value)
    {
        this.value = value;
    }

    private Operand at(final int index)
    {
        return index < 0 ? value : value.items[index];
    }

    @Override
    public int elementCount(final String field)
    {
        return switch (value.kind)
        {
            case MISSING -> ABSENT;
            case ARRAY -> value.items.length;
            default -> SCALAR;
        };
    }

    @Override
    public ValueKind kind(final String field, final int index)
    {
        final Operand o = at(index);
        return switch (o.kind)
        {
            case NULL, MISSING -> ValueKind.NULL;
            case NUMBER -> o.numberKind == Operand.LONG ? ValueKind.INT : o.numberKind == Operand.DOUBLE ?
                ValueKind.DOUBLE : ValueKind.DECIMAL;
            case STRING -> ValueKind.STRING;
            case BINDATA -> o.subtype == 4 ? ValueKind.UUID : ValueKind.BINARY;
            case OBJECT_ID -> ValueKind.OBJECT_ID;
            case BOOL -> ValueKind.BOOL;
            case DATE -> ValueKind.TIMESTAMP;
            default -> ValueKind.OTHER;
        };
    }

    @Override
    public long intValue(final String field, final int index)
    {
        return at(index).longValue;
    }

    @Override
    public boolean boolValue(final String field, final int index)
    {
        return at(index).boolValue;
    }

    @Override
    public float floatValue(final String field, final int index)
    {
        return (float)at(index).doubleValue;
    }

    @Override
    public double doubleValue(final String field, final int index)
    {
        return at(index).doubleValue;
    }

    @Override
    public String stringValue(final String field, final int index)
    {
        return at(index).stringValue;
    }

    @Override
    public byte[] bytesValue(final String field, final int index)
    {
        return at(index).bytes;
    }

    @Override
    public long timestampSeconds(final String field, final int index)
    {
        return at(index).seconds;
    }

    @Override
    public int timestampNanos(final String field, final int index)
    {
        return at(index).nanos;
    }

    @Override
    public BigDecimal decimalValue(final String field, final int index)
    {
        return at(index).decimalValue;
    }
}
