package dev.outpost.server.sync.writer;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upload changesets nothing transformed are appended as the client sent them: the history (origin, client version,
 * timestamp, changeset bytes of every entry) is byte for byte the one the writer stored when it encoded every
 * integrated changeset again, for generated upload sequences of three clients with stale bases (merges and the fast
 * path) and compressed (writer-inflated) bodies. The new path runs with a parsed-entry cache of 2 (merges parse the
 * stored bytes again), the old one with 4096 (the former fixed size).
 */
class UploadAsReceivedTest
{
    private static final int KEYS = 8;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldStoreTheSameHistoryAsEncodingEveryChangesetAgain() throws Exception
    {
        for (long seed = 1; seed <= 6; seed++)
        {
            final List<String> asReceived;
            final long received;
            final long merged;
            try (WriterHarness h = new WriterHarness(dir.resolve("new-" + seed), 3, false, 2))
            {
                run(h, seed);
                asReceived = h.history();
                assertThat(h.ctx.history().cachedEntries()).as("parsed entries kept").isLessThanOrEqualTo(2);
                received = h.writer.tools.appendedAsReceived;
                merged = h.ctx.integrator().mergedGroups();
            }
            final List<String> reencoded;
            try (WriterHarness h = new WriterHarness(dir.resolve("old-" + seed), 3, true, 4096))
            {
                run(h, seed);
                reencoded = h.history();
                assertThat(h.writer.tools.appendedAsReceived).isZero();
            }
            assertThat(asReceived).hasSizeGreaterThan(100).isEqualTo(reencoded);
            assertThat(received).as("changesets appended as received").isPositive()
                .isLessThan(asReceived.size());
            assertThat(merged).as("upload groups merged").isPositive();
        }
    }

    /** 60 uploads of 1..3 changesets by random clients, each based on a random version it could have seen. */
    private static void run(final WriterHarness h, final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final List<WriterHarness.Client> clients = h.clients();
        clients.sort((a, b) -> Long.compare(a.ident, b.ident));
        final long[] base = new long[clients.size()];
        final long[] version = new long[clients.size()];
        for (int u = 0; u < 60; u++)
        {
            final int c = random.nextInt(clients.size());
            final long head = h.ctx.file.lastAppended();
            final int n = 1 + random.nextInt(3);
            final List<WriterHarness.Up> ups = new ArrayList<>();
            for (int i = 0; i < n; i++)
            {
                // stale bases make merges against the other clients' entries; the head makes the plain path
                base[c] = random.nextInt(3) == 0 ? head : base[c] + random.nextInt((int)(head - base[c] + 1));
                ups.add(new WriterHarness.Up(++version[c], base[c], changeset(random, version[c] == 1)));
            }
            final UploadCommand.Result r = h.upload(clients.get(c), version[c], base[c], random.nextInt(5) == 0,
                ups.toArray(new WriterHarness.Up[0]));
            assertThat(r.error()).as("upload %d: %s", u, r.message()).isNull();
        }
    }

    private static byte[] changeset(final Random random, final boolean first)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        if (first)
        {
            b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn("Item", "count", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        }
        for (int i = 1 + random.nextInt(3); i > 0; i--)
        {
            final Value key = new Value.Int(random.nextInt(KEYS));
            switch (random.nextInt(4))
            {
                case 0:
                    b.createObject("Item", key);
                    b.update("Item", key, "name", new Object[0], Instr.TYPE_STRING,
                        new Value.Str("n" + random.nextInt(1000)), false, -1);
                    break;
                case 1:
                    b.createObject("Item", key);
                    b.update("Item", key, "count", new Object[0], Instr.TYPE_INT, new Value.Int(random.nextInt(99)),
                        false, -1);
                    break;
                case 2:
                    b.createObject("Item", key);
                    b.addInteger("Item", key, "count", new Object[0], 1 + random.nextInt(5));
                    break;
                default:
                    b.createObject("Item", key);
                    b.eraseObject("Item", key);
                    break;
            }
        }
        return new ChangesetWriter().toBytes(b.changeset());
    }
}
