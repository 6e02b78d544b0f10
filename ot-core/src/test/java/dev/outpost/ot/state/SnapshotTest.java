package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotTest
{
    private static final Object[] NO_PATH = new Object[0];

    /** A state with every class kind, key type, value type and nesting the model supports. */
    static ObjectState richState()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Person", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        b.addTable("Address", Instr.TABLE_EMBEDDED, null, 0, false);
        b.addTable("Tag", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, true);
        b.addTable("Event", Instr.TABLE_TOP_LEVEL_ASYMMETRIC, "_id", Instr.TYPE_UUID, false);
        b.addTable("Counter", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, true);
        b.addColumn("Address", "city", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Address", "lines", Instr.TYPE_STRING, false, Instr.COLLECTION_LIST, null, 0);
        b.addColumn("Person", "b", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "bin", Instr.TYPE_BINARY, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "ts", Instr.TYPE_TIMESTAMP, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "f", Instr.TYPE_FLOAT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "d", Instr.TYPE_DOUBLE, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "dec", Instr.TYPE_DECIMAL, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "oid", Instr.TYPE_OBJECT_ID, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "uuid", Instr.TYPE_UUID, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "any", Instr.TYPE_NULL, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "typed", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "", 0);
        b.addColumn("Person", "tag", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Tag", 0);
        b.addColumn("Person", "tagSet", Instr.TYPE_LINK, false, Instr.COLLECTION_SET, "Tag", 0);
        b.addColumn("Person", "home", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Address", 0);
        b.addColumn("Person", "homes", Instr.TYPE_LINK, false, Instr.COLLECTION_LIST, "Address", 0);
        b.addColumn("Person", "homeByName", Instr.TYPE_LINK, true, Instr.COLLECTION_DICTIONARY, "Address",
            Instr.TYPE_STRING);
        b.addColumn("Person", "ints", Instr.TYPE_INT, true, Instr.COLLECTION_LIST, null, 0);
        b.addColumn("Person", "doubles", Instr.TYPE_DOUBLE, false, Instr.COLLECTION_SET, null, 0);
        b.addColumn("Person", "mixedDict", Instr.TYPE_NULL, true, Instr.COLLECTION_DICTIONARY, null, Instr.TYPE_STRING);
        b.addColumn("Event", "payload", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Counter", "n", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        final Value p = new Value.ObjectIdValue(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        b.createObject("Person", p);
        b.update("Person", p, "b", NO_PATH, Instr.TYPE_BOOL, Value.Bool.TRUE, false, -1);
        b.update("Person", p, "bin", NO_PATH, Instr.TYPE_BINARY, new Value.Bin(new byte[] {0, -1}), false, -1);
        b.update("Person", p, "ts", NO_PATH, Instr.TYPE_TIMESTAMP, new Value.Timestamp(-5, -7), false, -1);
        b.update("Person", p, "f", NO_PATH, Instr.TYPE_FLOAT, Value.FloatValue.of(Float.NaN), false, -1);
        b.update("Person", p, "d", NO_PATH, Instr.TYPE_DOUBLE, Value.DoubleValue.of(-0.0), false, -1);
        b.update("Person", p, "dec", NO_PATH, Instr.TYPE_DECIMAL, new Value.Decimal(12345, 1, -3, true), false, -1);
        b.update("Person", p, "oid", NO_PATH, Instr.TYPE_OBJECT_ID, p, false, -1);
        b.update("Person", p, "uuid", NO_PATH, Instr.TYPE_UUID, new Value.UuidValue(new byte[16]), false, -1);
        b.update("Person", p, "any", NO_PATH, Instr.TYPE_DICTIONARY, null, false, -1);
        b.update("Person", p, "any", new Object[] {"l"}, Instr.TYPE_LIST, null, false, -1);
        b.arrayInsert("Person", p, "any", new Object[] {"l", 0L}, Instr.TYPE_LINK,
            new Value.Link("Tag", new Value.Str("t1")), 0);
        b.arrayInsert("Person", p, "any", new Object[] {"l", 1L}, Instr.TYPE_NULL, null, 1);
        b.arrayInsert("Person", p, "any", new Object[] {"l", 2L}, Instr.TYPE_DICTIONARY, null, 2);
        b.update("Person", p, "any", new Object[] {"l", 2L, "x"}, Instr.TYPE_STRING, new Value.Str("y"), false, -1);
        b.update("Person", p, "typed", NO_PATH, Instr.TYPE_LINK, new Value.Link("Counter", Value.Null.INSTANCE),
            false, -1);
        b.update("Person", p, "tag", NO_PATH, Instr.TYPE_LINK, new Value.Link("Tag", Value.Null.INSTANCE), false, -1);
        b.setInsert("Person", p, "tagSet", NO_PATH, Instr.TYPE_LINK, new Value.Link("Tag", new Value.Str("t1")));
        b.setInsert("Person", p, "tagSet", NO_PATH, Instr.TYPE_LINK, new Value.Link("Tag", new Value.Str("t0")));
        b.update("Person", p, "home", NO_PATH, Instr.TYPE_OBJECT_VALUE, null, false, -1);
        b.update("Person", p, "home", new Object[] {"city"}, Instr.TYPE_STRING, new Value.Str("Oslo"), false, -1);
        b.arrayInsert("Person", p, "home", new Object[] {"lines", 0L}, Instr.TYPE_STRING, new Value.Str("l1"), 0);
        b.arrayInsert("Person", p, "homes", new Object[] {0L}, Instr.TYPE_OBJECT_VALUE, null, 0);
        b.arrayInsert("Person", p, "homes", new Object[] {1L}, Instr.TYPE_OBJECT_VALUE, null, 1);
        b.arrayInsert("Person", p, "homes", new Object[] {1L, "lines", 0L}, Instr.TYPE_STRING, new Value.Str("z"), 0);
        b.update("Person", p, "homeByName", new Object[] {"a"}, Instr.TYPE_OBJECT_VALUE, null, false, -1);
        b.update("Person", p, "homeByName", new Object[] {"b"}, Instr.TYPE_NULL, null, false, -1);
        b.update("Person", p, "homeByName", new Object[] {"a", "city"}, Instr.TYPE_STRING, new Value.Str("c"), false,
            -1);
        b.arrayInsert("Person", p, "ints", new Object[] {0L}, Instr.TYPE_NULL, null, 0);
        b.arrayInsert("Person", p, "ints", new Object[] {1L}, Instr.TYPE_INT, new Value.Int(-9), 1);
        b.setInsert("Person", p, "doubles", NO_PATH, Instr.TYPE_DOUBLE, Value.DoubleValue.of(2.5));
        b.update("Person", p, "mixedDict", new Object[] {"k"}, Instr.TYPE_LIST, null, false, -1);
        b.arrayInsert("Person", p, "mixedDict", new Object[] {"k", 0L}, Instr.TYPE_LIST, null, 0);
        b.arrayInsert("Person", p, "mixedDict", new Object[] {"k", 0L, 0L}, Instr.TYPE_INT, new Value.Int(3), 0);
        b.createObject("Tag", new Value.Str("t1"));
        b.createObject("Tag", Value.Null.INSTANCE);
        final Value e = new Value.UuidValue(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
        b.createObject("Event", e);
        b.update("Event", e, "payload", NO_PATH, Instr.TYPE_STRING, new Value.Str("hello\n\"q\""), false, -1);
        b.createObject("Counter", Value.Null.INSTANCE);
        b.createObject("Counter", new Value.Int(-1));
        b.update("Counter", new Value.Int(-1), "n", NO_PATH, Instr.TYPE_INT, new Value.Int(42), false, -1);
        final ObjectState state = new ObjectState();
        final ApplyResult r = new ChangesetApplier(state).apply(b.changeset());
        assertThat(r.ok()).as(r.message()).isTrue();
        return state;
    }

    @Test
    void shouldRecreateTheStateFromItsSnapshot()
    {
        final ObjectState state = richState();
        final Changeset snapshot = Snapshot.of(state);
        final ObjectState copy = new ObjectState();
        final ApplyResult r = new ChangesetApplier(copy).apply(snapshot);
        assertThat(r.ok()).as(r.message()).isTrue();
        assertThat(copy.dump()).isEqualTo(state.dump());
        assertThat(copy).isEqualTo(state);
        assertThat(Snapshot.of(copy)).isEqualTo(snapshot);
    }

    @Test
    void shouldRecreateTheStateFromTheSnapshotsWireBytes() throws Exception
    {
        final ObjectState state = richState();
        final byte[] bytes = new ChangesetWriter().toBytes(Snapshot.of(state));
        final ObjectState copy = new ObjectState();
        final ApplyResult r = new ChangesetApplier(copy).apply(new ChangesetReader().read(bytes));
        assertThat(r.ok()).as(r.message()).isTrue();
        assertThat(copy).isEqualTo(state);
    }

    @Test
    void shouldSnapshotOnlyTheRequestedClassesWithTheFullSchema()
    {
        final ObjectState state = richState();
        final ObjectState copy = new ObjectState();
        assertThat(new ChangesetApplier(copy).apply(Snapshot.of(state, List.of("Counter", "Address"))).ok()).isTrue();
        assertThat(copy.tables().keySet()).isEqualTo(state.tables().keySet());
        assertThat(copy.table("Counter")).isEqualTo(state.table("Counter"));
        assertThat(copy.table("Person").objects()).isEmpty();
        assertThat(copy.table("Tag").objects()).isEmpty();
    }

    @Test
    void shouldNeverPutAsymmetricObjectsIntoAClientDownload()
    {
        final ObjectState state = richState();
        assertThat(state.table("Event").objects()).isNotEmpty();
        final ObjectState copy = new ObjectState();
        assertThat(new ChangesetApplier(copy).apply(Snapshot.download(state, List.of("Event", "Counter"))).ok())
            .isTrue();
        assertThat(copy.tables().keySet()).as("the whole schema").isEqualTo(state.tables().keySet());
        assertThat(copy.table("Event").type()).isEqualTo(TableType.TOP_LEVEL_ASYMMETRIC);
        assertThat(copy.table("Event").objects()).as("asymmetric objects stay on the server").isEmpty();
        assertThat(copy.table("Counter")).isEqualTo(state.table("Counter"));
        final ObjectState whole = new ObjectState();
        assertThat(new ChangesetApplier(whole).apply(Snapshot.of(state, List.of("Event"))).ok()).isTrue();
        assertThat(whole.table("Event").objects()).as("the full snapshot keeps them").isNotEmpty();
    }

    @Test
    void shouldDistinguishStatesThatDifferInOneNestedValue()
    {
        final ObjectState a = richState();
        final ObjectState b = richState();
        assertThat(a).isEqualTo(b);
        final ChangesetBuilder cs = new ChangesetBuilder();
        final Value p = new Value.ObjectIdValue(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        cs.arrayInsert("Person", p, "mixedDict", new Object[] {"k", 0L, 1L}, Instr.TYPE_INT, new Value.Int(4), 1);
        assertThat(new ChangesetApplier(b).apply(cs.changeset()).ok()).isTrue();
        assertThat(a).isNotEqualTo(b);
        assertThat(a.dump()).isNotEqualTo(b.dump());
    }
}
