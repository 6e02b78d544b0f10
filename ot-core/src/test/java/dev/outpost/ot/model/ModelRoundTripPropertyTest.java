package dev.outpost.ot.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.changeset.Instr;

/** Any model changeset survives model -> bytes -> model, and bytes -> model -> bytes is the identity. */
class ModelRoundTripPropertyTest
{
    private static final String[] NAMES = {"T", "Item", "_id", "", "名前", "emoji\uD83D\uDE00", "a.b", "T"};

    private final ChangesetWriter writer = new ChangesetWriter();
    private final ChangesetReader reader = new ChangesetReader();

    @Property(tries = 300)
    void shouldRoundTripGeneratedChangesets(@ForAll final long seed) throws CodecException
    {
        final Random random = new Random(seed);
        final Changeset c = new Changeset();
        for (int i = random.nextInt(12); i >= 0; i--)
        {
            c.add(instruction(random));
        }
        final byte[] bytes = writer.toBytes(c);
        final Changeset back = reader.read(bytes);
        assertThat(back).isEqualTo(c);
        assertThat(writer.toBytes(back)).isEqualTo(bytes);
        assertThat(writer.toBytes(back.copy())).isEqualTo(bytes);
    }

    private static String name(final Random r)
    {
        return NAMES[r.nextInt(NAMES.length)];
    }

    private static byte[] bytes(final Random r, final int n)
    {
        final byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static PrimaryKey key(final Random r)
    {
        switch (r.nextInt(6))
        {
            case 0:
                return PrimaryKey.ofNull();
            case 1:
                return PrimaryKey.ofInt(r.nextLong());
            case 2:
                return PrimaryKey.ofString(name(r));
            case 3:
                return PrimaryKey.ofObjectId(bytes(r, 12));
            case 4:
                return PrimaryKey.ofUuid(bytes(r, 16));
            default:
                return PrimaryKey.ofGlobalKey(r.nextLong() >>> 1, r.nextLong() >>> 1);
        }
    }

    private static Payload payload(final Random r)
    {
        switch (r.nextInt(17))
        {
            case 0:
                return Payload.ofInt(r.nextLong());
            case 1:
                return Payload.ofBool(r.nextBoolean());
            case 2:
                return Payload.ofString(name(r) + r.nextInt());
            case 3:
                return Payload.ofBinary(bytes(r, r.nextInt(20)));
            case 4:
                final long seconds = r.nextInt();
                return Payload.ofTimestamp(seconds, seconds < 0 ? -r.nextInt(1_000_000_000) : r.nextInt(1_000_000_000));
            case 5:
                return Payload.ofFloat(r.nextFloat());
            case 6:
                return Payload.ofDouble(r.nextDouble());
            case 7:
                return Payload.ofDecimal(r.nextLong(), r.nextInt(1 << 16), r.nextInt(200) - 100, r.nextBoolean());
            case 8:
                return Payload.ofLink(name(r), key(r));
            case 9:
                return Payload.ofObjectId(bytes(r, 12));
            case 10:
                return Payload.ofUuid(bytes(r, 16));
            case 11:
                return Payload.erased();
            case 12:
                return Payload.objectValue();
            case 13:
                return Payload.list();
            case 14:
                return Payload.dictionary();
            case 15:
                return Payload.set();
            default:
                return Payload.ofNull();
        }
    }

    private static Path path(final Random r, final boolean endInIndex)
    {
        final Path p = new Path();
        for (int i = r.nextInt(4); i > 0; i--)
        {
            if (r.nextBoolean())
            {
                p.addIndex(r.nextInt(1000));
            }
            else
            {
                p.addKey(name(r));
            }
        }
        if (endInIndex)
        {
            p.addIndex(r.nextBoolean() ? r.nextInt(10) : 0xFFFF_FFFFL);
        }
        else if (p.endsInIndex())
        {
            p.addKey(name(r)); // a field/dictionary update: realm puts is_default, not prior_size, on the wire
        }
        return p;
    }

    static Instruction instruction(final Random r)
    {
        final String t = name(r);
        switch (r.nextInt(14))
        {
            case 0:
                return r.nextBoolean() ? AddTable.embedded(t) :
                    new AddTable(t, r.nextBoolean() ? Instr.TABLE_TOP_LEVEL : Instr.TABLE_TOP_LEVEL_ASYMMETRIC, name(r),
                        Instr.TYPE_INT, r.nextBoolean());
            case 1:
                return new EraseTable(t);
            case 2:
                return new CreateObject(t, key(r));
            case 3:
                return new EraseObject(t, key(r));
            case 4:
                return r.nextBoolean() ?
                    new Update(t, key(r), name(r), path(r, false), payload(r), r.nextBoolean()) :
                    new Update(t, key(r), name(r), path(r, true), payload(r), false, r.nextInt(100));
            case 5:
                return new AddInteger(t, key(r), name(r), path(r, false), r.nextLong());
            case 6:
            {
                final int type = r.nextInt(12);
                final int collection = r.nextInt(4);
                return new AddColumn(t, name(r), type, r.nextBoolean(), collection,
                    type == Instr.TYPE_LINK ? name(r) : null, collection == Instr.COLLECTION_DICTIONARY ? Instr.TYPE_STRING : 0);
            }
            case 7:
                return new EraseColumn(t, name(r));
            case 8:
                return new ArrayInsert(t, key(r), name(r), path(r, true), payload(r), r.nextInt(100));
            case 9:
                return new ArrayMove(t, key(r), name(r), path(r, true), r.nextInt(100), r.nextInt(100));
            case 10:
                return new ArrayErase(t, key(r), name(r), path(r, true), r.nextInt(100));
            case 11:
                return new Clear(t, key(r), name(r), path(r, false), r.nextInt(4));
            case 12:
                return new SetInsert(t, key(r), name(r), path(r, false), payload(r));
            default:
                return new SetErase(t, key(r), name(r), path(r, false), payload(r));
        }
    }
}
