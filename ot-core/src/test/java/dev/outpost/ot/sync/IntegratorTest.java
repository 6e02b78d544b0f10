package dev.outpost.ot.sync;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IntegratorTest
{
    private static final Object[] NO_PATH = new Object[0];
    private static final Value K = new Value.Int(1);

    private InMemoryServerFile server;
    private long a;
    private long b;

    @BeforeEach
    void setUp()
    {
        server = new InMemoryServerFile();
        a = server.newClient();
        b = server.newClient();
    }

    private static Changeset schemaAndObject()
    {
        final ChangesetBuilder cs = new ChangesetBuilder();
        cs.addTable("T", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        cs.addColumn("T", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        cs.addColumn("T", "list", Instr.TYPE_INT, false, Instr.COLLECTION_LIST, null, 0);
        cs.createObject("T", K);
        return cs.changeset();
    }

    private static Changeset setN(final long n)
    {
        final ChangesetBuilder cs = new ChangesetBuilder();
        cs.update("T", K, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(n), false, -1);
        return cs.changeset();
    }

    private static Changeset insert(final long index, final long value, final long priorSize)
    {
        final ChangesetBuilder cs = new ChangesetBuilder();
        cs.arrayInsert("T", K, "list", new Object[] {index}, Instr.TYPE_INT, new Value.Int(value), priorSize);
        return cs.changeset();
    }

    private Value n(final ObjectState s)
    {
        return s.object("T", K).get("n");
    }

    @Test
    void shouldAppendUploadsWithTheAuthorsIdentVersionAndTimestampAndSkipRepeats()
    {
        final UploadEntry e1 = new UploadEntry(1, 0, 100, schemaAndObject());
        assertThat(server.upload(a, 1, 0, 0, List.of(e1)).ok()).isTrue();
        final UploadEntry e2 = new UploadEntry(2, 0, 101, setN(5));
        final IntegrationResult r = server.upload(a, 2, 0, 0, List.of(e1, e2));
        assertThat(r.ok()).isTrue();
        assertThat(r.integrated()).isEqualTo(1);
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(server.headVersion()).isEqualTo(2);
        final HistoryEntry h = server.entry(2);
        assertThat(h.originFileIdent()).isEqualTo(a);
        assertThat(h.clientVersion()).isEqualTo(2);
        assertThat(h.originTimestamp()).isEqualTo(101);
        assertThat(server.client(a).clientVersion()).isEqualTo(2);
        assertThat(n(server.state())).isEqualTo(new Value.Int(5));
    }

    @Test
    void shouldRejectUploadsWithInconsistentCursors()
    {
        assertThat(server.upload(a, 1, 1, 0, List.of(new UploadEntry(1, 1, 100, schemaAndObject()))).errorCode())
            .isEqualTo(ProtocolErrorCode.BAD_SERVER_VERSION);
        final IntegrationResult r = server.upload(a, 3, 0, 0,
            List.of(new UploadEntry(2, 0, 100, schemaAndObject()), new UploadEntry(2, 0, 100, setN(1))));
        assertThat(r.errorCode()).isEqualTo(ProtocolErrorCode.BAD_CLIENT_VERSION);
        assertThat(server.upload(a, 1, 0, 0, List.of(new UploadEntry(2, 0, 100, schemaAndObject()))).errorCode())
            .isEqualTo(ProtocolErrorCode.BAD_CLIENT_VERSION);
        assertThat(server.headVersion()).isZero();
        assertThat(server.client(a).clientVersion()).isZero();
    }

    @Test
    void shouldLeaveHistoryCursorAndStateUnchangedWhenAChangesetDoesNotApply()
    {
        assertThat(server.upload(a, 1, 0, 0, List.of(new UploadEntry(1, 0, 100, schemaAndObject()))).ok()).isTrue();
        final String before = server.state().dump();
        final ChangesetBuilder bad = new ChangesetBuilder();
        bad.update("Missing", K, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(1), false, -1);
        final IntegrationResult r = server.upload(a, 3, 1, 1,
            List.of(new UploadEntry(2, 1, 101, setN(9)), new UploadEntry(3, 1, 102, bad.changeset())));
        assertThat(r.errorCode()).isEqualTo(ProtocolErrorCode.BAD_CHANGESET);
        assertThat(r.message()).contains("Missing");
        assertThat(server.headVersion()).isEqualTo(1);
        assertThat(server.client(a).clientVersion()).isEqualTo(1);
        assertThat(server.client(a).lockedServerVersion()).isZero();
        assertThat(server.state().dump()).isEqualTo(before);
    }

    @Test
    void shouldMergeConcurrentUploadsAndKeepReciprocalsUntilTheClientMovesOn()
    {
        assertThat(server.upload(a, 1, 0, 0, List.of(new UploadEntry(1, 0, 100, schemaAndObject()))).ok()).isTrue();
        // A sets n=1 at t=200 (server version 2); B, still at server version 1, sets n=2 at t=300 and inserts.
        final ClientIntegrator clientB = new ClientIntegrator(b);
        assertThat(clientB.integrate(DownloadBatch.scan(server, b, 0, 0, 100), server.client(b)).ok()).isTrue();
        assertThat(server.upload(a, 2, 1, 1, List.of(new UploadEntry(2, 1, 200, setN(1)))).ok()).isTrue();
        assertThat(clientB.commitLocal(setN(2), 300).ok()).isTrue();
        final UploadBatch up = clientB.pendingUpload();
        assertThat(up.entries()).hasSize(1);
        assertThat(up.entries().get(0).serverVersion()).isEqualTo(1);
        assertThat(server.upload(b, up.progressClientVersion(), up.progressServerVersion(), 1, up.entries()).ok())
            .isTrue();
        assertThat(n(server.state())).isEqualTo(new Value.Int(2));
        // A's update lost against B's later one: as B sees it, version 2 is now empty.
        final Changeset reciprocal = server.client(b).reciprocal(2);
        assertThat(reciprocal).isNotNull();
        assertThat(reciprocal.isEmpty()).isTrue();
        assertThat(server.entry(2).changeset().isEmpty()).isFalse();
        // B downloads A's entry (based on B's version 1) and converges; its next upload moves its base past 2.
        final DownloadBatch down = DownloadBatch.scan(server, b, clientB.downloadServerVersion(),
            clientB.downloadClientVersion(), 100);
        assertThat(down.entries()).extracting(DownloadEntry::serverVersion).containsExactly(2L);
        assertThat(down.entries().get(0).clientVersion()).isEqualTo(0);
        assertThat(down.downloadServerVersion()).isEqualTo(3);
        assertThat(down.downloadClientVersion()).isEqualTo(2);
        assertThat(clientB.integrate(down, server.client(b)).ok()).isTrue();
        assertThat(clientB.state()).isEqualTo(server.state());
        assertThat(clientB.uploadClientVersion()).isEqualTo(2);
        assertThat(clientB.commitLocal(insert(0, 7, 0), 400).ok()).isTrue();
        final UploadBatch up2 = clientB.pendingUpload();
        assertThat(up2.entries()).extracting(UploadEntry::clientVersion).containsExactly(4L);
        assertThat(server.upload(b, up2.progressClientVersion(), up2.progressServerVersion(), 3, up2.entries()).ok())
            .isTrue();
        assertThat(server.client(b).rhBaseVersion()).isEqualTo(3);
        assertThat(server.client(b).reciprocals()).isEmpty();
        assertThat(server.client(b).lockedServerVersion()).isEqualTo(3);
    }

    @Test
    void shouldTransformDownloadsAgainstUnsyncedLocalListInserts()
    {
        assertThat(server.upload(a, 1, 0, 0, List.of(new UploadEntry(1, 0, 100, schemaAndObject()))).ok()).isTrue();
        final ClientIntegrator clientA = new ClientIntegrator(a);
        final ClientIntegrator clientB = new ClientIntegrator(b);
        assertThat(clientA.commitLocal(schemaAndObject(), 100).ok()).isTrue();
        assertThat(clientB.integrate(DownloadBatch.scan(server, b, 0, 0, 100), server.client(b)).ok()).isTrue();
        assertThat(clientA.integrate(DownloadBatch.scan(server, a, 0, 0, 100), server.client(a)).ok()).isTrue();
        // Both insert at index 0 while offline; B's insert reaches the server first.
        assertThat(clientA.commitLocal(insert(0, 1, 0), 200).ok()).isTrue();
        assertThat(clientB.commitLocal(insert(0, 2, 0), 201).ok()).isTrue();
        final UploadBatch ub = clientB.pendingUpload();
        assertThat(server.upload(b, ub.progressClientVersion(), ub.progressServerVersion(), 0, ub.entries()).ok())
            .isTrue();
        // A downloads B's insert before uploading: it must be transformed against A's unsynced insert.
        assertThat(clientA.integrate(DownloadBatch.scan(server, a, clientA.downloadServerVersion(),
            clientA.downloadClientVersion(), 100), server.client(a)).ok()).isTrue();
        final UploadBatch ua = clientA.pendingUpload();
        assertThat(ua.entries()).hasSize(1);
        assertThat(ua.entries().get(0).serverVersion()).isEqualTo(1);
        assertThat(server.upload(a, ua.progressClientVersion(), ua.progressServerVersion(), 0, ua.entries()).ok())
            .isTrue();
        assertThat(clientB.integrate(DownloadBatch.scan(server, b, clientB.downloadServerVersion(),
            clientB.downloadClientVersion(), 100), server.client(b)).ok()).isTrue();
        assertThat(clientA.state()).isEqualTo(server.state());
        assertThat(clientB.state()).isEqualTo(server.state());
        assertThat(server.state().object("T", K).get("list")).isInstanceOfSatisfying(Value.ListValue.class,
            l -> assertThat(l.items()).hasSize(2));
    }

    @Test
    void shouldCommitAVersionForADownloadWithoutChangesetsSoTheUploadCursorStaysConsistent()
    {
        // server version 1 exists (another client's); B commits locally on base 0, then a DOWNLOAD moves its cursor
        // to server version 1 with nothing to apply (as realm's set_sync_progress, that is a new client version)
        assertThat(server.upload(a, 1, 0, 0, List.of(new UploadEntry(1, 0, 100, schemaAndObject()))).ok()).isTrue();
        final ClientIntegrator clientB = new ClientIntegrator(b);
        assertThat(clientB.commitLocal(schemaAndObject(), 150).ok()).isTrue();
        assertThat(clientB.integrateDownload(List.of(), 1, 0, 0, 0).ok()).isTrue();
        final UploadBatch up = clientB.pendingUpload();
        assertThat(up.entries()).extracting(UploadEntry::clientVersion, UploadEntry::serverVersion)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, 0L));
        assertThat(up.progressClientVersion()).isEqualTo(2);
        assertThat(up.progressServerVersion()).isEqualTo(1);
        // (1, 0) and the progress (2, 1) are mutually consistent (the session layer refuses (1, 0) with (1, 1): 210)
        assertThat(server.upload(b, up.progressClientVersion(), up.progressServerVersion(), 0, up.entries()).ok())
            .isTrue();
        // a DOWNLOAD that moves nothing adds no version
        assertThat(clientB.integrateDownload(List.of(), 1, 0, 0, 0).ok()).isTrue();
        assertThat(clientB.pendingUpload().progressClientVersion()).isEqualTo(2);
    }

    @Test
    void shouldScanDownloadsSkippingOwnAndEmptyEntriesAndNamingTheServerAsOne()
    {
        server.append(new HistoryEntry(a, 1, 10, schemaAndObject()));
        server.append(new HistoryEntry(b, 1, 11, new Changeset()));
        server.append(new HistoryEntry(0, 0, 12, setN(3)));
        server.append(new HistoryEntry(a, 2, 13, setN(4)));
        final DownloadBatch d = DownloadBatch.scan(server, a, 0, 0, 100);
        assertThat(d.entries()).extracting(DownloadEntry::serverVersion).containsExactly(3L);
        assertThat(d.entries().get(0).originFileIdent()).isEqualTo(ServerIntegrator.SERVER_FILE_IDENT);
        assertThat(d.entries().get(0).clientVersion()).isEqualTo(1);
        assertThat(d.downloadServerVersion()).isEqualTo(4);
        assertThat(d.downloadClientVersion()).isEqualTo(2);
        final DownloadBatch limited = DownloadBatch.scan(server, b, 0, 0, 1);
        assertThat(limited.entries()).extracting(DownloadEntry::serverVersion).containsExactly(1L);
        assertThat(limited.downloadServerVersion()).isEqualTo(1);
    }

    @Test
    void shouldRejectDownloadsFromAForbiddenOrigin()
    {
        final ClientIntegrator c = new ClientIntegrator(a);
        final IntegrationResult r = c.integrateDownload(List.of(new DownloadEntry(1, 0, 1, a, schemaAndObject())), 1,
            0, 0, 0);
        assertThat(r.errorCode()).isEqualTo(ProtocolErrorCode.BAD_ORIGIN_FILE_IDENT);
        assertThat(c.state().isEmpty()).isTrue();
        assertThat(c.downloadServerVersion()).isZero();
    }

    @Test
    void shouldReleaseLocalChangesetsOnceBothCursorsPassedThemAndStillConverge()
    {
        assertThat(server.upload(a, 1, 0, 0, List.of(new UploadEntry(1, 0, 100, schemaAndObject()))).ok()).isTrue();
        final ClientIntegrator clientA = new ClientIntegrator(a);
        final ClientIntegrator clientB = new ClientIntegrator(b);
        assertThat(clientA.commitLocal(schemaAndObject(), 100).ok()).isTrue();
        assertThat(clientA.integrate(DownloadBatch.scan(server, a, 0, 0, 100), server.client(a)).ok()).isTrue();
        assertThat(clientB.integrate(DownloadBatch.scan(server, b, 0, 0, 100), server.client(b)).ok()).isTrue();
        for (int round = 0; round < 200; round++)
        {
            // both write while the other's change is in flight, upload, then download (merges every round)
            assertThat(clientA.commitLocal(setN(round), 1000 + 2 * round).ok()).isTrue();
            assertThat(clientB.commitLocal(insert(0, round, round), 1001 + 2 * round).ok()).isTrue();
            for (final ClientIntegrator c : List.of(clientA, clientB))
            {
                final long ident = c == clientA ? a : b;
                final UploadBatch up = c.pendingUpload();
                assertThat(server.upload(ident, up.progressClientVersion(), up.progressServerVersion(),
                    up.progressServerVersion(), up.entries()).ok()).isTrue();
            }
            for (final ClientIntegrator c : List.of(clientA, clientB))
            {
                final long ident = c == clientA ? a : b;
                assertThat(c.integrate(DownloadBatch.scan(server, ident, c.downloadServerVersion(),
                    c.downloadClientVersion(), 100), server.client(ident)).ok()).isTrue();
            }
        }
        assertThat(clientA.state()).isEqualTo(server.state());
        assertThat(clientB.state()).isEqualTo(server.state());
        // 200 rounds of local commits, each acknowledged and passed by the download cursor: none is kept
        assertThat(clientA.version()).isGreaterThan(400);
        assertThat(clientA.retainedLocalVersions()).isLessThanOrEqualTo(1);
        assertThat(clientB.retainedLocalVersions()).isLessThanOrEqualTo(1);
    }

    @Test
    void shouldListOnlyTheChangesetsAfterTheGivenVersionInAPendingUpload()
    {
        final ClientIntegrator c = new ClientIntegrator(a);
        assertThat(c.commitLocal(schemaAndObject(), 100).ok()).isTrue();
        assertThat(c.commitLocal(setN(1), 101).ok()).isTrue();
        assertThat(c.commitLocal(setN(2), 102).ok()).isTrue();
        assertThat(c.pendingUpload().entries()).extracting(UploadEntry::clientVersion).containsExactly(1L, 2L, 3L);
        final UploadBatch after2 = c.pendingUpload(2);
        assertThat(after2.entries()).extracting(UploadEntry::clientVersion).containsExactly(3L);
        assertThat(after2.progressClientVersion()).isEqualTo(3);
        assertThat(c.pendingUpload(3).entries()).isEmpty();
    }

    @Test
    void shouldAllocateNoMorePerDownloadAfterAThousandsOfVersionsThanAtTheStart()
    {
        // a reader integrating one-entry DOWNLOADs (scenario d): each adds a client version; the cost of one must not
        // grow with the history (it used to allocate an array of the whole history per DOWNLOAD: quadratic garbage)
        final ClientIntegrator reader = new ClientIntegrator(b);
        assertThat(reader.integrateDownload(List.of(new DownloadEntry(1, 0, 1, a, schemaAndObject())), 1, 0, 0, 0)
            .ok()).isTrue();
        final long early = allocatedPerDownload(reader, 2, 2_000);
        integrate(reader, 4_002, 40_000);
        final long late = allocatedPerDownload(reader, 44_002, 2_000);
        assertThat(reader.version()).isGreaterThan(48_000);
        assertThat(late).isLessThan(early * 2 + 256);
    }

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();

    private long allocatedPerDownload(final ClientIntegrator c, final long from, final int n)
    {
        integrate(c, from, n); // warm
        final long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
        integrate(c, from + n, n);
        return (THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / n;
    }

    private void integrate(final ClientIntegrator c, final long from, final int n)
    {
        final Changeset change = setN(1);
        for (long v = from; v < from + n; v++)
        {
            final IntegrationResult r = c.integrateDownload(List.of(new DownloadEntry(v, 0, 1, a, change)), v, 0, 0, 0);
            assertThat(r.ok()).as(r.message()).isTrue();
        }
    }
}
