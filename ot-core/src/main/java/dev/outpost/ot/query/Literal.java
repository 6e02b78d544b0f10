package dev.outpost.ot.query;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/** A constant of a query, decoded once at compile time. Immutable. */
final class Literal
{
    enum Type
    {
        NULL,
        NUMBER,
        BOOL,
        STRING,
        TIMESTAMP,
        OBJECT_ID,
        UUID
    }

    static final Literal NULL = new Literal(Type.NULL, null, null, null, false, 0, 0, Double.NaN, false);
    static final Literal TRUE = new Literal(Type.BOOL, null, null, null, true, 0, 0, Double.NaN, false);
    static final Literal FALSE = new Literal(Type.BOOL, null, null, null, false, 0, 0, Double.NaN, false);

    final Type type;
    /** STRING: the text (malformed UTF-8 decoded with replacements). */
    final String text;
    /** STRING: the raw bytes; OBJECT_ID, UUID: the value. */
    final byte[] bytes;
    /** STRING: whether {@link #bytes} are well-formed UTF-8 (otherwise no string equals it). */
    final boolean validUtf8;
    /** NUMBER: the exact value, null for nan and the infinities. */
    final BigDecimal decimal;
    /** BOOL. */
    final boolean bool;
    /** NUMBER: the value if integral and within long range ({@link #integral}); TIMESTAMP: seconds. */
    final long longValue;
    /** TIMESTAMP: nanoseconds. */
    final int nanos;
    /** NUMBER: as a double (realm converts the constant to the column's type). */
    final double doubleValue;
    /** NUMBER: as a float, for float columns. */
    final float floatValue;
    /** NUMBER: exact and integral within long range. */
    final boolean integral;
    /** NUMBER, exact and not {@link #integral}: floor of the value, clamped to the long range. */
    final long floor;
    /** NUMBER, exact and not {@link #integral}: -1/1 if the value lies below/above the long range, else 0. */
    final int floorOutside;

    private Literal(final Type type, final String text, final byte[] bytes, final BigDecimal decimal,
        final boolean bool, final long longValue, final int nanos, final double doubleValue, final boolean integral)
    {
        this.type = type;
        this.text = text;
        this.bytes = bytes;
        this.validUtf8 = type == Type.STRING && Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes);
        this.decimal = decimal;
        this.bool = bool;
        this.longValue = longValue;
        this.nanos = nanos;
        this.doubleValue = doubleValue;
        this.floatValue = (float)doubleValue;
        this.integral = integral;
        if (decimal != null && !integral)
        {
            // Never rescale a constant like 1.5e-99999999: that would compute 10^99999999.
            final int integerDigits = decimal.precision() - decimal.scale();
            if (integerDigits <= 0)
            {
                this.floorOutside = 0;
                this.floor = decimal.signum() < 0 ? -1 : 0;
            }
            else if (integerDigits > 19)
            {
                this.floorOutside = decimal.signum();
                this.floor = 0;
            }
            else
            {
                final BigDecimal f = decimal.setScale(0, java.math.RoundingMode.FLOOR);
                final boolean below = f.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0;
                final boolean above = f.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0;
                this.floorOutside = below ? -1 : above ? 1 : 0;
                this.floor = below ? Long.MIN_VALUE : above ? Long.MAX_VALUE : f.longValueExact();
            }
        }
        else
        {
            this.floorOutside = 0;
            this.floor = 0;
        }
    }

    static Literal string(final byte[] utf8)
    {
        return new Literal(Type.STRING, new String(utf8, StandardCharsets.UTF_8), utf8, null, false, 0, 0, Double.NaN,
            false);
    }

    static Literal number(final BigDecimal exact, final double approx)
    {
        if (exact == null)
        {
            return new Literal(Type.NUMBER, null, null, null, false, 0, 0, approx, false);
        }
        boolean integral = false;
        long l = 0;
        if (exact.signum() == 0)
        {
            integral = true;
        }
        else if (exact.precision() - exact.scale() <= 19 && exact.stripTrailingZeros().scale() <= 0)
        {
            try
            {
                l = exact.longValueExact();
                integral = true;
            }
            catch (final ArithmeticException outOfRange)
            {
                integral = false;
            }
        }
        return new Literal(Type.NUMBER, null, null, exact, false, l, 0, approx, integral);
    }

    static Literal timestamp(final long seconds, final int nanos)
    {
        return new Literal(Type.TIMESTAMP, null, null, null, false, seconds, nanos, Double.NaN, false);
    }

    static Literal objectId(final byte[] bytes)
    {
        return new Literal(Type.OBJECT_ID, null, bytes, null, false, 0, 0, Double.NaN, false);
    }

    static Literal uuid(final byte[] bytes)
    {
        return new Literal(Type.UUID, null, bytes, null, false, 0, 0, Double.NaN, false);
    }

    /**
     * True if realm-core's serializer writes the string plainly rather than as {@code B64"..."}: ASCII letters,
     * digits and {@code " {|}~:;<=>?@!#$%&()*+,-./[]^_`"}, and multi-byte UTF-8 characters (which must be well-formed
     * here, so the text reparses to the same bytes).
     */
    static boolean isPlain(final byte[] utf8)
    {
        for (final byte b : utf8)
        {
            final int c = b & 0xff;
            final boolean alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (c < 0x80 && !alnum && " {|}~:;<=>?@!#$%&()*+,-./[]^_`".indexOf(c) < 0)
            {
                return false;
            }
        }
        return Arrays.equals(new String(utf8, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), utf8);
    }

    /** Canonical text, as realm-core's serializer writes it (reparses to an equal literal). */
    void appendTo(final StringBuilder sb)
    {
        switch (type)
        {
            case NULL -> sb.append("NULL");
            case BOOL -> sb.append(bool ? "true" : "false");
            case STRING ->
            {
                if (isPlain(bytes))
                {
                    sb.append('"').append(text).append('"');
                }
                else
                {
                    sb.append("B64\"").append(Base64.getEncoder().encodeToString(bytes)).append('"');
                }
            }
            case NUMBER ->
            {
                if (decimal == null)
                {
                    sb.append(Double.isNaN(doubleValue) ? "nan" : doubleValue > 0 ? "inf" : "-inf");
                }
                else if (integral)
                {
                    sb.append(longValue);
                }
                else
                {
                    sb.append(decimal.toString());
                }
            }
            case TIMESTAMP -> sb.append('T').append(longValue).append(':').append(nanos);
            case OBJECT_ID -> sb.append("oid(").append(HexFormat.of().formatHex(bytes)).append(')');
            case UUID ->
            {
                final String h = HexFormat.of().formatHex(bytes);
                sb.append("uuid(").append(h, 0, 8).append('-').append(h, 8, 12).append('-').append(h, 12, 16)
                    .append('-').append(h, 16, 20).append('-').append(h, 20, 32).append(')');
            }
            default -> throw new IllegalStateException();
        }
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        appendTo(sb);
        return sb.toString();
    }
}
