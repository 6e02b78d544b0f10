package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Path;
import dev.outpost.ot.model.PathElement;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.PrimaryKey;

/**
 * Conversions between the changeset model ({@link PrimaryKey}, {@link Payload}, {@link Path}) and state values.
 * Stateless; thread-safe.
 */
public final class ModelValues
{
    private ModelValues()
    {
    }

    /** @return the key as a value; GlobalKey keys are unsupported and return null. */
    public static Value key(final PrimaryKey k)
    {
        return switch (k.type())
        {
            case Instr.TYPE_NULL -> Value.Null.INSTANCE;
            case Instr.TYPE_INT -> new Value.Int(k.intValue());
            case Instr.TYPE_STRING -> new Value.Str(k.stringValue());
            case Instr.TYPE_OBJECT_ID -> new Value.ObjectIdValue(k.bytes());
            case Instr.TYPE_UUID -> new Value.UuidValue(k.bytes());
            default -> null;
        };
    }

    /** @return the value as a primary key; {@code v} must be Null, Int, String, ObjectId or UUID. */
    public static PrimaryKey key(final Value v)
    {
        if (v instanceof Value.Int i)
        {
            return PrimaryKey.ofInt(i.value());
        }
        if (v instanceof Value.Str s)
        {
            return PrimaryKey.ofString(s.value());
        }
        if (v instanceof Value.ObjectIdValue o)
        {
            return PrimaryKey.ofObjectId(o.bytes());
        }
        if (v instanceof Value.UuidValue u)
        {
            return PrimaryKey.ofUuid(u.bytes());
        }
        if (v instanceof Value.Null)
        {
            return PrimaryKey.ofNull();
        }
        throw new IllegalArgumentException("not a primary key: " + v);
    }

    /**
     * @return the payload's value for primitives and links, {@link Value.Null} for Null, and null for data-less
     * markers (ObjectValue, List, Dictionary, Set, Erased) or a link with a GlobalKey target.
     */
    public static Value value(final Payload p)
    {
        return switch (p.type())
        {
            case Instr.TYPE_NULL -> Value.Null.INSTANCE;
            case Instr.TYPE_INT -> new Value.Int(p.intValue());
            case Instr.TYPE_BOOL -> p.boolValue() ? Value.Bool.TRUE : Value.Bool.FALSE;
            case Instr.TYPE_STRING -> new Value.Str(p.stringValue());
            case Instr.TYPE_BINARY -> new Value.Bin(p.bytes());
            case Instr.TYPE_TIMESTAMP -> new Value.Timestamp(p.timestampSeconds(), p.timestampNanos());
            case Instr.TYPE_FLOAT -> new Value.FloatValue(p.floatBits());
            case Instr.TYPE_DOUBLE -> new Value.DoubleValue(p.doubleBits());
            case Instr.TYPE_DECIMAL ->
                new Value.Decimal(p.decimalLow(), p.decimalHigh(), p.decimalExponent(), p.decimalNegative());
            case Instr.TYPE_OBJECT_ID -> new Value.ObjectIdValue(p.bytes());
            case Instr.TYPE_UUID -> new Value.UuidValue(p.bytes());
            case Instr.TYPE_LINK ->
            {
                final Value k = key(p.linkKey());
                yield k == null ? null : new Value.Link(p.linkTable(), k);
            }
            default -> null;
        };
    }

    /** @return the payload for a primitive, link or Null value, or a data-less marker of {@code payloadType}. */
    public static Payload payload(final int payloadType, final Value v)
    {
        final Payload marker = Payload.ofEmpty(payloadType);
        if (marker != null)
        {
            return marker;
        }
        if (v instanceof Value.Int i)
        {
            return Payload.ofInt(i.value());
        }
        if (v instanceof Value.Bool b)
        {
            return Payload.ofBool(b.value());
        }
        if (v instanceof Value.Str s)
        {
            return Payload.ofString(s.value());
        }
        if (v instanceof Value.Bin b)
        {
            return Payload.ofBinary(b.bytes());
        }
        if (v instanceof Value.Timestamp t)
        {
            return Payload.ofTimestamp(t.seconds(), t.nanos());
        }
        if (v instanceof Value.FloatValue f)
        {
            return Payload.ofFloatBits(f.bits());
        }
        if (v instanceof Value.DoubleValue d)
        {
            return Payload.ofDoubleBits(d.bits());
        }
        if (v instanceof Value.Decimal d)
        {
            return Payload.ofDecimal(d.low(), d.high(), d.exponent(), d.negative());
        }
        if (v instanceof Value.ObjectIdValue o)
        {
            return Payload.ofObjectId(o.bytes());
        }
        if (v instanceof Value.UuidValue u)
        {
            return Payload.ofUuid(u.bytes());
        }
        if (v instanceof Value.Link l)
        {
            return Payload.ofLink(l.table(), key(l.key()));
        }
        throw new IllegalArgumentException("no payload for " + v);
    }

    /** @return path elements as {@code Long} indices and {@code String} keys. */
    public static Object[] path(final Path p)
    {
        final Object[] out = new Object[p.size()];
        for (int i = 0; i < out.length; i++)
        {
            final PathElement e = p.get(i);
            out[i] = e.isIndex() ? (Object)e.index() : e.key();
        }
        return out;
    }

    public static Path path(final Object[] elements)
    {
        return Path.of(elements);
    }
}
