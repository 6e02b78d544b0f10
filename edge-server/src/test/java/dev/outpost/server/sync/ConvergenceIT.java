package dev.outpost.server.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.message.MessageType;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import dev.outpost.ot.sync.ClientIntegrator;
import dev.outpost.ot.sync.DownloadEntry;
import dev.outpost.ot.sync.UploadBatch;
import dev.outpost.ot.sync.UploadEntry;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three simulated clients (ot-core's {@link ClientIntegrator}: realm's client-side integration, in memory) make
 * random conflicting writes on a few objects and sync them through the real server over WebSockets, interleaved at
 * random, dropping and resuming their connections now and then. Afterwards every client's state equals the server's object state: the session layer delivered the right
 * cursors and per-entry client versions for both sides' OT to converge.
 */
@Timeout(120)
class ConvergenceIT
{
    private static final String APP = "conv-app";

    @TempDir
    Path dir;

    /** One simulated client: integrator + connection + what it already uploaded in this session. */
    private static final class Sim
    {
        SyncTestClient ws;
        final ClientIntegrator client;
        final long salt;
        long sentUpTo;
        long latest;
        long latestSalt;

        Sim(final SyncTestClient ws, final long ident, final long salt)
        {
            this.ws = ws;
            this.client = new ClientIntegrator(ident);
            this.salt = salt;
        }
    }

    /** Drop the connection (unacknowledged uploads may be lost or not) and resume with the stored cursors. */
    private static void reconnect(final Sim s, final int port, final String token, final String partition)
        throws Exception
    {
        s.ws.close();
        s.ws = SyncTestClient.connect(port, APP, token, false);
        s.ws.bind(1, partition, false);
        s.ws.ident(1, s.client.fileIdent(), s.salt, s.client.downloadServerVersion(),
            s.client.downloadClientVersion(), s.latest, s.latestSalt);
        s.sentUpTo = s.client.uploadClientVersion();
        s.ws.mark(1, 1);
        drainUntilMark(s);
    }

    @Test
    void shouldConvergeRandomConcurrentWritesOfSimulatedClientsWithTheServerState() throws Exception
    {
        try (SyncServer server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir).appId(APP).eventLoops(2)))
        {
            final String token = SyncTestClient.login(server.port(), APP);
            // more seeds: -Doutpost.jvm.flags.extra=-Doutpost.convergence.seeds=N
            for (long seed = 1; seed <= Long.getLong("outpost.convergence.seeds", 6); seed++)
            {
                final String partition = "\"conv-" + seed + "\"";
                final List<Sim> sims = new ArrayList<>();
                for (int i = 0; i < 3; i++)
                {
                    final SyncTestClient ws = SyncTestClient.connect(server.port(), APP, token, false);
                    ws.bind(1, partition, true);
                    final Msg ident = ws.next();
                    ws.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
                    ws.mark(1, 1);
                    final Sim sim = new Sim(ws, ident.get(0), ident.get(1));
                    sims.add(sim);
                    drainUntilMark(sim);
                }
                final Random random = new Random(seed);
                for (final Sim s : sims)
                {
                    commit(s, schema());
                }
                for (int step = 0; step < 80; step++)
                {
                    final Sim s = sims.get(random.nextInt(sims.size()));
                    switch (random.nextInt(9))
                    {
                        case 0, 1, 2, 3 -> commit(s, randomWrite(random, s.client));
                        case 4, 5 -> upload(s);
                        case 6 -> reconnect(s, server.port(), token, partition);
                        default -> receive(s, 0);
                    }
                }
                // quiesce: upload everything, then read until every client is at the head with its uploads acked
                final String name = SyncService.pbsFileName(APP, partition);
                for (int round = 0; round < 100; round++)
                {
                    for (final Sim s : sims)
                    {
                        upload(s);
                    }
                    for (final Sim s : sims)
                    {
                        receive(s, 20);
                    }
                    boolean settled = true;
                    for (final Sim s : sims)
                    {
                        settled &= s.client.downloadServerVersion() == server.sync().head(name) &&
                            s.client.pendingUpload().entries().isEmpty();
                    }
                    if (settled)
                    {
                        break;
                    }
                }
                final String serverState = server.sync().objectStateDump(name);
                for (final Sim s : sims)
                {
                    assertThat(s.client.pendingUpload().entries()).isEmpty();
                    assertThat(s.client.state().dump()).as("client %d, seed %d, download cursor %d, head %d",
                        s.client.fileIdent(), seed, s.client.downloadServerVersion(), server.sync().head(name))
                        .isEqualTo(serverState);
                    s.ws.close();
                }
                assertThat(serverState).contains("class Item");
            }
        }
    }

    private static Changeset schema()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "size", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        return b.changeset();
    }

    private static Changeset randomWrite(final Random random, final ClientIntegrator client) throws Exception
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        final long key = 1 + random.nextInt(4);
        final boolean exists = client.state().object("Item", new Value.Int(key)) != null;
        final int op = random.nextInt(5);
        if (!exists || op == 0)
        {
            b.createObject("Item", new Value.Int(key));
            b.update("Item", new Value.Int(key), "name", new Object[0], Instr.TYPE_STRING,
                new Value.Str("c" + client.fileIdent() + "-" + random.nextInt(100)), false, -1);
        }
        else if (op == 1)
        {
            b.eraseObject("Item", new Value.Int(key));
        }
        else if (op == 2)
        {
            b.addInteger("Item", new Value.Int(key), "size", new Object[0], 1 + random.nextInt(5));
        }
        else
        {
            b.update("Item", new Value.Int(key), op == 3 ? "name" : "size", new Object[0],
                op == 3 ? Instr.TYPE_STRING : Instr.TYPE_INT, op == 3 ? new Value.Str("u" + client.fileIdent() +
                    "-" + random.nextInt(100)) : new Value.Int(random.nextInt(100)), false, -1);
        }
        return b.changeset();
    }

    private static void commit(final Sim s, final Changeset c)
    {
        // the timestamp SyncTestClient.upload sends for client version v is 1000 + v
        assertThat(s.client.commitLocal(c, 1000 + s.client.version() + 1).ok()).isTrue();
    }

    private static void upload(final Sim s) throws Exception
    {
        final UploadBatch batch = s.client.pendingUpload();
        final List<Up> fresh = new ArrayList<>();
        for (final UploadEntry e : batch.entries())
        {
            if (e.clientVersion() > s.sentUpTo)
            {
                fresh.add(new Up(e.clientVersion(), e.serverVersion(), new ChangesetWriter().toBytes(e.changeset())));
            }
        }
        if (fresh.isEmpty())
        {
            return;
        }
        s.ws.upload(1, batch.progressClientVersion(), batch.progressServerVersion(), 0, false,
            fresh.toArray(new Up[0]));
        s.sentUpTo = fresh.get(fresh.size() - 1).clientVersion();
    }

    private static void receive(final Sim s, final long waitMs) throws Exception
    {
        Msg m;
        while ((m = s.ws.poll(waitMs)) != null)
        {
            assertThat(m.type()).as("%s %s", m, m.text()).isIn(MessageType.DOWNLOAD, MessageType.SERVER_MARK);
            if (m.type() == MessageType.DOWNLOAD)
            {
                integrate(s, m);
            }
        }
    }

    private static void drainUntilMark(final Sim s) throws Exception
    {
        Msg m;
        while ((m = s.ws.next()).type() != MessageType.SERVER_MARK)
        {
            integrate(s, m);
        }
    }

    private static void integrate(final Sim s, final Msg m) throws Exception
    {
        final List<DownloadEntry> entries = new ArrayList<>();
        for (final SyncTestClient.Entry e : m.entries())
        {
            assertThat(e.originFileIdent()).isNotEqualTo(s.client.fileIdent()).isPositive();
            entries.add(new DownloadEntry(e.serverVersion(), e.clientVersion(), e.timestamp(), e.originFileIdent(),
                new ChangesetReader().read(e.changeset())));
        }
        assertThat(m.get(1)).as("download client version <= upload client version").isLessThanOrEqualTo(m.get(4));
        final var r = s.client.integrateDownload(entries, m.get(0), m.get(1), m.get(4), m.get(5));
        s.latest = m.get(2);
        s.latestSalt = m.get(3);
        assertThat(r.ok()).as("client integration: %s", r.message()).isTrue();
    }
}
