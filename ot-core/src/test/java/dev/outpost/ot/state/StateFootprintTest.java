package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The heap an object state holds per small object (ObjectId primary key plus a string, an int, a double, a bool and
 * a timestamp), measured as heap used after GC with and without the state ({@code MemoryMXBean}); also for the same
 * state decoded from a checkpoint. Prints the figures (bench/README.md section 12); asserts the contents and, for
 * the issue's shape, that an object holds well under 200 B (compact records; trees of boxed values held ~590 B).
 * {@code -Doutpost.state.footprintObjects=200000} for the bench figure (default 20,000).
 */
class StateFootprintTest
{
    private static final int OBJECTS = Integer.getInteger("outpost.state.footprintObjects", 20_000);
    private static final Object[] NO_PATH = new Object[0];

    @Test
    void shouldReportTheBytesHeldPerSmallObject() throws Exception
    {
        final long empty = usedAfterGc();
        ObjectState state = build(OBJECTS);
        final long built = usedAfterGc();
        assertThat(state.table("Item").objects()).hasSize(OBJECTS);
        final StateCodec.Output out = new StateCodec.Output(1 << 20);
        StateCodec.encode(state, out);
        final String dump = OBJECTS <= 20_000 ? state.dump() : null;
        state = null;
        final long dropped = usedAfterGc();
        final ObjectState decoded = StateCodec.decode(new StateCodec.Input(out.array(), 0, out.size()));
        final long decodedHeap = usedAfterGc();
        assertThat(decoded.table("Item").objects()).hasSize(OBJECTS);
        if (dump != null)
        {
            assertThat(decoded.dump()).isEqualTo(dump);
        }
        System.out.printf("state footprint, %,d small objects: applied %.1f bytes/object, decoded from a checkpoint " +
            "%.1f bytes/object; checkpoint %.1f bytes/object%n", OBJECTS, (built - empty) / (double)OBJECTS,
            (decodedHeap - dropped) / (double)OBJECTS, out.size() / (double)OBJECTS);
    }

    /**
     * The shape of issue 14 item 3: ObjectId key plus an int, a string from a small set, a unique-ish string, a
     * double and a bool; {@code -Doutpost.state.footprintObjects=100000} for the bench figure.
     */
    @Test
    void shouldReportTheBytesHeldPerObjectOfTheIssuesShape() throws Exception
    {
        final int objects = Math.max(OBJECTS, 50_000); // enough that heap noise is small per object
        final long empty = usedAfterGc();
        final ObjectState state = buildIssueShape(objects);
        final long built = usedAfterGc();
        assertThat(state.table("Task").objects()).hasSize(objects);
        final byte[] id = new byte[12];
        id[0] = 0x65;
        id[11] = 7;
        final ObjectData o = state.object("Task", new Value.ObjectIdValue(id));
        assertThat(o.get("n")).isEqualTo(new Value.Int(7));
        assertThat(o.get("status")).isEqualTo(new Value.Str("status-7"));
        assertThat(o.get("title")).isEqualTo(new Value.Str("task number 7"));
        assertThat(o.get("done")).isEqualTo(new Value.Bool(false));
        System.out.printf("state footprint, %,d objects of the issue's shape (int, small-set string, unique string, " +
            "double, bool): %.1f bytes/object%n", objects, (built - empty) / (double)objects);
        // compact records: about 90 B (the tree of boxed values held ~590 B); the bound leaves room for heap noise
        assertThat((built - empty) / (double)objects).isLessThan(200);
        assertThat(state.table("Task").objects()).hasSize(objects); // keeps the state reachable until measured
    }

    private static ObjectState buildIssueShape(final int n)
    {
        final ObjectState state = new ObjectState();
        final ChangesetApplier applier = new ChangesetApplier(state);
        ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Task", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        b.addColumn("Task", "n", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Task", "status", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Task", "title", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Task", "weight", Instr.TYPE_DOUBLE, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Task", "done", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0);
        assertThat(applier.apply(b.changeset()).ok()).isTrue();
        for (int i = 0; i < n; i++)
        {
            if (i % 1000 == 0)
            {
                b = new ChangesetBuilder();
            }
            final byte[] id = new byte[12];
            for (int j = 0; j < 4; j++)
            {
                id[11 - j] = (byte)(i >>> (8 * j));
            }
            id[0] = 0x65;
            final Value key = new Value.ObjectIdValue(id);
            b.createObject("Task", key);
            b.update("Task", key, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(i), false, -1);
            b.update("Task", key, "status", NO_PATH, Instr.TYPE_STRING, new Value.Str("status-" + i % 8), false, -1);
            b.update("Task", key, "title", NO_PATH, Instr.TYPE_STRING, new Value.Str("task number " + i), false, -1);
            b.update("Task", key, "weight", NO_PATH, Instr.TYPE_DOUBLE, Value.DoubleValue.of(i * 0.25), false, -1);
            b.update("Task", key, "done", NO_PATH, Instr.TYPE_BOOL, new Value.Bool(i % 3 == 0), false, -1);
            if (i % 1000 == 999 || i == n - 1)
            {
                assertThat(applier.apply(b.changeset()).ok()).isTrue();
            }
        }
        return state;
    }

    private static ObjectState build(final int n)
    {
        final ObjectState state = new ObjectState();
        final ChangesetApplier applier = new ChangesetApplier(state);
        ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        b.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "count", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "price", Instr.TYPE_DOUBLE, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "done", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "at", Instr.TYPE_TIMESTAMP, false, Instr.COLLECTION_SINGLE, null, 0);
        assertThat(applier.apply(b.changeset()).ok()).isTrue();
        for (int i = 0; i < n; i++)
        {
            if (i % 1000 == 0)
            {
                b = new ChangesetBuilder();
            }
            final byte[] id = new byte[12];
            for (int j = 0; j < 4; j++)
            {
                id[11 - j] = (byte)(i >>> (8 * j));
            }
            id[0] = 0x65;
            final Value key = new Value.ObjectIdValue(id);
            b.createObject("Item", key);
            b.update("Item", key, "name", NO_PATH, Instr.TYPE_STRING, new Value.Str("item " + i), false, -1);
            b.update("Item", key, "count", NO_PATH, Instr.TYPE_INT, new Value.Int(i), false, -1);
            b.update("Item", key, "price", NO_PATH, Instr.TYPE_DOUBLE, Value.DoubleValue.of(i * 0.5), false, -1);
            b.update("Item", key, "done", NO_PATH, Instr.TYPE_BOOL, new Value.Bool(i % 2 == 0), false, -1);
            b.update("Item", key, "at", NO_PATH, Instr.TYPE_TIMESTAMP, new Value.Timestamp(1_700_000_000L + i, 0),
                false, -1);
            if (i % 1000 == 999 || i == n - 1)
            {
                assertThat(applier.apply(b.changeset()).ok()).isTrue();
            }
        }
        return state;
    }

    private static long usedAfterGc() throws InterruptedException
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++)
        {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
