package dev.outpost.server.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.message.MessageType;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import dev.outpost.server.mirror.PgMirror;
import dev.outpost.server.mirror.PostgresServer;
import dev.outpost.server.sync.SyncTestClient.Msg;
import dev.outpost.server.sync.SyncTestClient.Up;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Arrays;

/**
 * Figures for bench/README.md, section 10, inbound (not part of the normal run; no assertion on time):
 * <pre>
 * ./mvnw -B -o verify -pl edge-server -am -Dtest=NoSuchTest -Dit.test=MirrorInboundBench \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
 * </pre>
 * A server with the PostgreSQL mirror (inbound on) and one raw client bound to a PBS partition holding one object;
 * {@code outpost.mirror.inbound.bench.updates} (default 1,000) SQL {@code UPDATE}s of that object's row, one at a
 * time (autocommit); each one's latency is from just before {@code executeUpdate} to the client receiving the
 * DOWNLOAD that carries it: p50, p99, max.
 */
class MirrorInboundBench
{
    private static final String APP = "inbound-bench";

    @TempDir
    Path dir;

    @Test
    void measure() throws Exception
    {
        final int n = Integer.getInteger("outpost.mirror.inbound.bench.updates", 1_000);
        try (PostgresServer pg = PostgresServer.start(); SyncTestServer fixture = new SyncTestServer(APP))
        {
            fixture.start(dir, c -> c.mirrorPostgres(pg.url()).mirrorSchema("bench"));
            final SyncTestClient ws = fixture.connect(false);
            ws.bind(1, "\"b\"", true);
            final Msg ident = ws.next();
            ws.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
            final ChangesetBuilder b = new ChangesetBuilder();
            b.addTable("Task", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn("Task", "title", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
            b.createObject("Task", new Value.Int(1));
            ws.upload(1, 2, 0, 0, false, new Up(2, 0, new ChangesetWriter().toBytes(b.changeset())));
            final PgMirror mirror = fixture.server().http().apps().mirror(APP);
            final String file = SyncService.pbsFileName(APP, "\"b\"");
            while (mirror.mirroredVersion(file) < 1)
            {
                Thread.sleep(5);
            }
            while (null != ws.poll(300))
            {
                // the upload's acknowledgement
            }
            final long[] nanos = new long[n];
            try (Connection c = pg.connect(); PreparedStatement st = c.prepareStatement(
                "UPDATE bench.\"Task\" SET title = ? WHERE _id = 1"))
            {
                for (int i = 0; i < n; i++)
                {
                    st.setString(1, "t" + i);
                    final long start = System.nanoTime();
                    st.executeUpdate();
                    Msg m;
                    do
                    {
                        m = ws.next();
                    }
                    while (m.type() != MessageType.DOWNLOAD || m.entries().isEmpty());
                    nanos[i] = System.nanoTime() - start;
                }
            }
            Arrays.sort(nanos);
            System.out.printf("MIRROR-INBOUND-BENCH updates=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n", n,
                nanos[n / 2] / 1e6, nanos[(int)(n * 0.99)] / 1e6, nanos[n - 1] / 1e6);
        }
    }
}
