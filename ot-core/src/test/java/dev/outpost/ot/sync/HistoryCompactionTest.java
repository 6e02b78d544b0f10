package dev.outpost.ot.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link HistoryCompactor} on random histories of the convergence simulation: the state at and after the horizon is
 * unchanged, and a client that starts from version 0 (with offline changes) or from any version at or above the
 * horizon ends, after upload and download, in the same state, on the same server state, as against the
 * uncompacted history.
 */
class HistoryCompactionTest
{
    @Property(tries = 300)
    void shouldKeepTheStateAtAndAfterTheHorizon(@ForAll final long seed,
        @ForAll @IntRange(min = 2, max = 4) final int clients)
    {
        final Simulation sim = new Simulation(seed, clients);
        sim.run(80);
        final List<HistoryEntry> original = history(sim.server);
        final int head = original.size();
        final int horizon = new Random(seed).nextInt(head + 1);
        final List<HistoryEntry> compacted = new ArrayList<>(original);
        HistoryCompactor.compact(compacted, horizon);

        for (int v = horizon; v <= head; v++)
        {
            assertThat(stateAt(compacted, v).dump()).as("state at %d, horizon %d", v, horizon)
                .isEqualTo(stateAt(original, v).dump());
        }
        assertThat(stateAt(compacted, head).dump()).isEqualTo(sim.server.state().dump());
        for (int v = horizon + 1; v <= head; v++)
        {
            assertThat(compacted.get(v - 1)).isSameAs(original.get(v - 1)); // nothing above the horizon changes
        }
    }

    @Property(tries = 300)
    void shouldMergeUploadsFromZeroOrAboveTheHorizonAsWithoutCompaction(@ForAll final long seed,
        @ForAll @IntRange(min = 2, max = 4) final int clients)
    {
        final Simulation sim = new Simulation(seed, clients);
        sim.skew = 40; // clocks that disagree: a history's later update of a field can have the older timestamp
        sim.run(80);
        final List<HistoryEntry> original = history(sim.server);
        final int head = original.size();
        final Random random = new Random(seed ^ 0x5DEECE66DL);
        final int horizon = random.nextInt(head + 1);
        final List<HistoryEntry> compacted = new ArrayList<>(original);
        HistoryCompactor.compact(compacted, horizon);
        // a new client (cursor 0, offline changes) half of the time, else one that synced up to a version >= horizon
        final int cursor = random.nextBoolean() ? 0 : horizon + random.nextInt(head - horizon + 1);
        final long generatorSeed = random.nextLong();

        final World plain = new World(original, clients);
        final World compact = new World(compacted, clients);
        plain.syncNewClient(cursor, generatorSeed);
        compact.syncNewClient(cursor, generatorSeed);

        assertThat(compact.server.state().dump()).as("server state, horizon %d cursor %d", horizon, cursor)
            .isEqualTo(plain.server.state().dump());
        assertThat(compact.client.state().dump()).isEqualTo(compact.server.state().dump());
        assertThat(plain.client.state().dump()).isEqualTo(plain.server.state().dump());
    }

    @Property(tries = 500)
    void shouldMergeNewClientsOnHotFieldsAsWithoutCompaction(@ForAll final long seed)
    {
        // Few objects and fields, clocks that disagree, many overwrites: the cases where a merge could notice.
        final Random random = new Random(seed);
        final List<HistoryEntry> original = HotFields.history(random, 3, 60);
        final int head = original.size();
        final int horizon = random.nextInt(head + 1);
        final List<HistoryEntry> compacted = new ArrayList<>(original);
        HistoryCompactor.compact(compacted, horizon);
        final int cursor = random.nextInt(3) == 0 ? horizon + random.nextInt(head - horizon + 1) : 0;
        final long generatorSeed = random.nextLong();
        final World plain = new World(original, 3);
        final World compact = new World(compacted, 3);
        plain.syncHotClient(cursor, generatorSeed);
        compact.syncHotClient(cursor, generatorSeed);
        assertThat(compact.server.state().dump()).as("server state, horizon %d cursor %d", horizon, cursor)
            .isEqualTo(plain.server.state().dump());
        assertThat(compact.client.state().dump()).isEqualTo(compact.server.state().dump());
    }

    @Test
    void shouldDropOverwrittenUpdatesOfARealHistory()
    {
        long dropped = 0;
        long kept = 0;
        for (long seed = 0; seed < 20; seed++)
        {
            final Simulation sim = new Simulation(seed, 3);
            sim.run(80);
            final List<HistoryEntry> compacted = history(sim.server);
            dropped += HistoryCompactor.compact(compacted, compacted.size());
            for (final HistoryEntry e : compacted)
            {
                kept += e.changeset().size();
            }
        }
        assertThat(dropped).isPositive();
        assertThat(kept).isPositive();
    }

    @Test
    void shouldNotDropAnUpdateOverwrittenByAnOlderDiscriminant()
    {
        final Changeset newer = new Changeset();
        newer.add(new dev.outpost.ot.model.Update("Item", dev.outpost.ot.model.PrimaryKey.ofInt(1), "n",
            new dev.outpost.ot.model.Path(), dev.outpost.ot.model.Payload.ofInt(1), false));
        final Changeset older = new Changeset();
        older.add(new dev.outpost.ot.model.Update("Item", dev.outpost.ot.model.PrimaryKey.ofInt(1), "n",
            new dev.outpost.ot.model.Path(), dev.outpost.ot.model.Payload.ofInt(2), false));
        final HistoryCompactor compactor = new HistoryCompactor();
        compactor.compactPreceding(older, 100, 2); // version 2, timestamp 100
        assertThat(compactor.compactPreceding(newer, 200, 3)).isZero(); // version 1 has the later timestamp: kept
        final Changeset again = new Changeset();
        again.add(newer.get(0).copy());
        assertThat(compactor.compactPreceding(again, 150, 3)).isEqualTo(1); // overwritten by the 200 one
    }

    private static List<HistoryEntry> history(final InMemoryServerFile server)
    {
        final List<HistoryEntry> h = new ArrayList<>();
        for (long v = 1; v <= server.headVersion(); v++)
        {
            h.add(server.entry(v));
        }
        return h;
    }

    private static ObjectState stateAt(final List<HistoryEntry> history, final int version)
    {
        final ObjectState state = new ObjectState();
        final ChangesetApplier applier = new ChangesetApplier(state);
        for (int v = 1; v <= version; v++)
        {
            final ApplyResult r = applier.apply(history.get(v - 1).changeset());
            assertThat(r.ok()).as("apply version %d: %s", v, r.message()).isTrue();
        }
        return state;
    }

    /** A server holding a given history (with its state), and one new client. */
    private static final class World
    {
        final InMemoryServerFile server = new InMemoryServerFile();
        ClientIntegrator client;

        World(final List<HistoryEntry> history, final int existingClients)
        {
            final ChangesetApplier applier = new ChangesetApplier(server.state());
            for (final HistoryEntry e : history)
            {
                server.append(e);
                assertThat(applier.apply(e.changeset()).ok()).isTrue();
            }
            for (int i = 0; i < existingClients; i++)
            {
                server.newClient(); // the idents the history's origins use
            }
        }

        void syncNewClient(final int cursor, final long generatorSeed)
        {
            client = new ClientIntegrator(server.newClient());
            if (cursor > 0)
            {
                download(cursor);
            }
            final Simulation generator = new Simulation(generatorSeed, 1);
            if (cursor == 0)
            {
                assertThat(client.commitLocal(Simulation.schema(), 1_000).ok()).isTrue();
            }
            for (int i = 0; i < 8; i++)
            {
                final ApplyResult r = client.commitLocal(generator.randomChangeset(client.state()),
                    1_000 + generator.random.nextInt(100));
                assertThat(r.ok()).as(r.message()).isTrue();
            }
            final UploadBatch b = client.pendingUpload();
            final IntegrationResult up = server.upload(client.fileIdent(), b.progressClientVersion(),
                b.progressServerVersion(), b.progressServerVersion(), b.entries());
            assertThat(up.ok()).as(up.message()).isTrue();
            download(Long.MAX_VALUE);
        }

        void syncHotClient(final int cursor, final long generatorSeed)
        {
            client = new ClientIntegrator(server.newClient());
            if (cursor > 0)
            {
                download(cursor);
            }
            final Random random = new Random(generatorSeed);
            if (cursor == 0)
            {
                assertThat(client.commitLocal(HotFields.schema(), 1_000).ok()).isTrue();
            }
            for (int i = 0; i < 6; i++)
            {
                final ApplyResult r = client.commitLocal(HotFields.op(random, client.state()),
                    HotFields.timestamp(random));
                assertThat(r.ok()).as(r.message()).isTrue();
            }
            final UploadBatch b = client.pendingUpload();
            final IntegrationResult up = server.upload(client.fileIdent(), b.progressClientVersion(),
                b.progressServerVersion(), b.progressServerVersion(), b.entries());
            assertThat(up.ok()).as(up.message()).isTrue();
            download(Long.MAX_VALUE);
        }

        private void download(final long upTo)
        {
            final ServerHistory view = new ServerHistory()
            {
                @Override
                public long headVersion()
                {
                    return Math.min(upTo, server.headVersion());
                }

                @Override
                public HistoryEntry entry(final long serverVersion)
                {
                    return server.entry(serverVersion);
                }

                @Override
                public void append(final HistoryEntry entry)
                {
                    throw new UnsupportedOperationException();
                }
            };
            final DownloadBatch batch = DownloadBatch.scan(view, client.fileIdent(), client.downloadServerVersion(),
                client.downloadClientVersion(), Integer.MAX_VALUE);
            final IntegrationResult r = client.integrate(batch, server.client(client.fileIdent()));
            assertThat(r.ok()).as(r.message()).isTrue();
        }
    }

    /** Histories of few objects whose fields are set, added to and erased by clients with skewed clocks. */
    static final class HotFields
    {
        private static final Object[] NO_PATH = new Object[0];

        static Changeset schema()
        {
            final ChangesetBuilder b = new ChangesetBuilder();
            b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn("Item", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn("Item", "m", Instr.TYPE_NULL, true, Instr.COLLECTION_SINGLE, null, 0);
            return b.changeset();
        }

        static long timestamp(final Random random)
        {
            return 1_000 + random.nextInt(50);
        }

        static Changeset op(final Random random, final ObjectState state)
        {
            final ChangesetBuilder b = new ChangesetBuilder();
            final Value key = new Value.Int(random.nextInt(2));
            if (state.object("Item", key) == null)
            {
                b.createObject("Item", key);
                return b.changeset();
            }
            switch (random.nextInt(8))
            {
                case 0 -> b.eraseObject("Item", key);
                case 1 -> b.addInteger("Item", key, "n", NO_PATH, 1 + random.nextInt(5));
                case 2 -> b.update("Item", key, "m", NO_PATH, Instr.TYPE_STRING, new Value.Str("s" + random.nextInt(3)),
                    false, -1);
                case 3 -> b.update("Item", key, "m", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextInt(9)),
                    random.nextInt(4) == 0, -1);
                default -> b.update("Item", key, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextInt(99)),
                    random.nextInt(5) == 0, -1);
            }
            return b.changeset();
        }

        static List<HistoryEntry> history(final Random random, final int clientCount, final int steps)
        {
            final InMemoryServerFile server = new InMemoryServerFile();
            final List<ClientIntegrator> clients = new ArrayList<>();
            for (int i = 0; i < clientCount; i++)
            {
                final ClientIntegrator c = new ClientIntegrator(server.newClient());
                assertThat(c.commitLocal(schema(), 1_000).ok()).isTrue();
                clients.add(c);
            }
            for (int s = 0; s < steps; s++)
            {
                final ClientIntegrator c = clients.get(random.nextInt(clientCount));
                final int action = random.nextInt(10);
                if (action < 5)
                {
                    assertThat(c.commitLocal(op(random, c.state()), timestamp(random)).ok()).isTrue();
                }
                else if (action < 8)
                {
                    upload(server, c);
                }
                else
                {
                    download(server, c);
                }
            }
            for (final ClientIntegrator c : clients)
            {
                upload(server, c);
            }
            final List<HistoryEntry> h = HistoryCompactionTest.history(server);
            return h;
        }

        private static void upload(final InMemoryServerFile server, final ClientIntegrator c)
        {
            final UploadBatch b = c.pendingUpload();
            final IntegrationResult r = server.upload(c.fileIdent(), b.progressClientVersion(),
                b.progressServerVersion(), b.progressServerVersion(), b.entries());
            assertThat(r.ok()).as(r.message()).isTrue();
        }

        private static void download(final InMemoryServerFile server, final ClientIntegrator c)
        {
            final DownloadBatch batch = DownloadBatch.scan(server, c.fileIdent(), c.downloadServerVersion(),
                c.downloadClientVersion(), Integer.MAX_VALUE);
            assertThat(c.integrate(batch, server.client(c.fileIdent())).ok()).isTrue();
        }
    }
}
