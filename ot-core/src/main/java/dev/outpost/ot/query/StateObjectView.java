package dev.outpost.ot.query;

import java.math.BigDecimal;
import java.math.BigInteger;

import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.Value;

/**
 * {@link ObjectView} over today's {@link ObjectData}: the one place the query package knows the state's
 * representation. A reusable flyweight: {@link #wrap} an object, evaluate, wrap the next. Not thread-safe (one per
 * thread). Lookups of the same field in a row are served from a one-entry cache; set elements are copied once per
 * wrap into a reused array, so steady-state evaluation allocates nothing.
 */
public final class StateObjectView implements ObjectView
{
    private ObjectData object;
    private String lastField;
    private Value lastValue;
    private String setField;
    private Value[] setItems;
    private int setSize;
    private String[] overlayFields;
    private Value[] overlayValues;
    private int overlaySize;

    /** @return this view, positioned on {@code object}. */
    public StateObjectView wrap(final ObjectData object)
    {
        return wrap(object, null, null, 0);
    }

    /**
     * Position on {@code object} as if its fields {@code fields[0..size)} held {@code values[0..size)} (an object's
     * state after a write, without copying it). The arrays are read, not copied: keep them unchanged while this
     * view is in use.
     *
     * @return this view.
     */
    public StateObjectView wrap(final ObjectData object, final String[] fields, final Value[] values, final int size)
    {
        this.object = object;
        this.overlayFields = fields;
        this.overlayValues = values;
        this.overlaySize = size;
        this.lastField = null;
        this.lastValue = null;
        this.setField = null;
        return this;
    }

    private Value field(final String field)
    {
        if (field != lastField)
        {
            lastField = field;
            lastValue = overlaySize == 0 ? object.get(field) : overlaid(field);
        }
        return lastValue;
    }

    private Value overlaid(final String field)
    {
        for (int i = 0; i < overlaySize; i++)
        {
            if (overlayFields[i].equals(field))
            {
                return overlayValues[i];
            }
        }
        return object.get(field);
    }

    private Value value(final String field, final int index)
    {
        final Value v = field(field);
        if (index < 0)
        {
            return v;
        }
        if (v instanceof Value.ListValue l)
        {
            return l.items().get(index);
        }
        if (v instanceof Value.SetValue s)
        {
            if (field != setField)
            {
                setField = field;
                setSize = 0;
                if (setItems == null || setItems.length < s.items().size())
                {
                    setItems = new Value[Math.max(s.items().size(), setItems == null ? 8 : setItems.length * 2)];
                }
                // first()/higher() walk the tree without the iterator an enhanced for would allocate.
                for (Value item = s.items().isEmpty() ? null : s.items().first(); item != null;
                    item = s.items().higher(item))
                {
                    setItems[setSize++] = item;
                }
            }
            return setItems[index];
        }
        return Value.Null.INSTANCE;
    }

    @Override
    public int elementCount(final String field)
    {
        final Value v = field(field);
        if (v == null)
        {
            return ABSENT;
        }
        if (v instanceof Value.ListValue l)
        {
            return l.items().size();
        }
        if (v instanceof Value.SetValue s)
        {
            return s.items().size();
        }
        return SCALAR;
    }

    @Override
    public ValueKind kind(final String field, final int index)
    {
        final Value v = value(field, index);
        if (v == null)
        {
            return ValueKind.NULL;
        }
        return StateSchema.kindOf(v.type());
    }

    @Override
    public long intValue(final String field, final int index)
    {
        return ((Value.Int)value(field, index)).value();
    }

    @Override
    public boolean boolValue(final String field, final int index)
    {
        return ((Value.Bool)value(field, index)).value();
    }

    @Override
    public float floatValue(final String field, final int index)
    {
        return Float.intBitsToFloat(((Value.FloatValue)value(field, index)).bits());
    }

    @Override
    public double doubleValue(final String field, final int index)
    {
        return Double.longBitsToDouble(((Value.DoubleValue)value(field, index)).bits());
    }

    @Override
    public String stringValue(final String field, final int index)
    {
        return ((Value.Str)value(field, index)).value();
    }

    @Override
    public byte[] bytesValue(final String field, final int index)
    {
        final Value v = value(field, index);
        if (v instanceof Value.ObjectIdValue o)
        {
            return o.bytes();
        }
        if (v instanceof Value.UuidValue u)
        {
            return u.bytes();
        }
        return ((Value.Bin)v).bytes();
    }

    @Override
    public long timestampSeconds(final String field, final int index)
    {
        return ((Value.Timestamp)value(field, index)).seconds();
    }

    @Override
    public int timestampNanos(final String field, final int index)
    {
        return ((Value.Timestamp)value(field, index)).nanos();
    }

    @Override
    public BigDecimal decimalValue(final String field, final int index)
    {
        final Value.Decimal d = (Value.Decimal)value(field, index);
        final BigInteger coefficient = BigInteger.valueOf(d.high()).shiftLeft(64)
            .or(new BigInteger(Long.toUnsignedString(d.low())));
        final BigDecimal v = new BigDecimal(coefficient, -d.exponent());
        return d.negative() ? v.negate() : v;
    }
}
