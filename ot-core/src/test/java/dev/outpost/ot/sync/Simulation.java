package dev.outpost.ot.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A server and N clients making random concurrent changes, exchanged in random orders with random offline stretches,
 * then fully synced. Every step asserts that the protocol operation succeeded; {@link #run} returns the outcome.
 */
final class Simulation
{
    private static final Object[] NO_PATH = new Object[0];
    static final int KEYS = 4;

    final Random random;
    final InMemoryServerFile server;
    /** Some objects are private to one client (keys from 100 * ident), the rest shared. */
    private final boolean privateKeys;
    /** With private keys: also erase tables and columns now and then. */
    boolean destructive;
    /** Reciprocal transforms stored after each upload, encoded (null: not traced). */
    final ByteArrayOutputStream trace;
    /** The client making the changeset being generated. */
    private long actor;
    final List<ClientIntegrator> clients = new ArrayList<>();
    final StringBuilder log = new StringBuilder();
    private long clock = 1_000;
    /** Clock skew: each commit's timestamp is off by up to this many ticks (0: the clients' clocks agree). */
    int skew;
    /** Uploads after which the server held reciprocal transforms for the uploader (merges that changed ours). */
    int uploadsWithReciprocals;
    /** Integrated changesets the merge changed (history entry differs from the uploaded original). */
    int transformedUploads;

    Simulation(final long seed, final int clientCount)
    {
        this(seed, clientCount, new TouchIndex(), false);
    }

    /**
     * @param index       the server integrator's touch index, or null to always merge (the reference).
     * @param privateKeys whether clients also change objects only they touch (and trace reciprocals).
     */
    Simulation(final long seed, final int clientCount, final TouchIndex index, final boolean privateKeys)
    {
        random = new Random(seed);
        server = new InMemoryServerFile(index);
        this.privateKeys = privateKeys;
        this.trace = privateKeys ? new ByteArrayOutputStream() : null;
        for (int i = 0; i < clientCount; i++)
        {
            clients.add(new ClientIntegrator(server.newClient()));
        }
    }

    /** Random steps, then full sync. */
    void run(final int steps)
    {
        for (final ClientIntegrator c : clients)
        {
            commit(c, schema());
        }
        for (int s = 0; s < steps; s++)
        {
            final ClientIntegrator c = clients.get(random.nextInt(clients.size()));
            final int action = random.nextInt(10);
            if (action < 5)
            {
                actor = c.fileIdent();
                commit(c, randomChangeset(c.state()));
            }
            else if (action < 8)
            {
                upload(c, true);
            }
            else
            {
                download(c, 1 + random.nextInt(6));
            }
        }
        for (int round = 0; round < 2; round++)
        {
            for (final ClientIntegrator c : clients)
            {
                upload(c, false);
            }
            for (final ClientIntegrator c : clients)
            {
                download(c, Integer.MAX_VALUE);
            }
        }
    }

    void commit(final ClientIntegrator c, final Changeset cs)
    {
        // Timestamps may tie across clients, so the file-ident tie-break is exercised too.
        clock += random.nextInt(3);
        final ApplyResult r = c.commitLocal(cs, skew == 0 ? clock : clock + random.nextInt(skew) - skew / 2);
        if (!r.ok())
        {
            throw new AssertionError("client " + c.fileIdent() + " rejected its own changeset: " + r.message() + "\n"
                + cs + "\n" + log);
        }
        log.append("commit c").append(c.fileIdent()).append(" v").append(c.version()).append('\n');
    }

    void upload(final ClientIntegrator c, final boolean allowPartial)
    {
        final UploadBatch b = c.pendingUpload();
        // Sometimes send only a prefix, as a client whose message size limit split the upload.
        List<UploadEntry> entries = b.entries();
        long progress = b.progressClientVersion();
        long progressServer = b.progressServerVersion();
        if (allowPartial && !entries.isEmpty() && random.nextInt(4) == 0)
        {
            entries = entries.subList(0, 1 + random.nextInt(entries.size()));
            progress = entries.get(entries.size() - 1).clientVersion();
            progressServer = entries.get(entries.size() - 1).serverVersion();
        }
        final IntegrationResult r = server.upload(c.fileIdent(), progress, progressServer, progressServer, entries);
        if (!r.ok())
        {
            throw new AssertionError("server rejected upload of c" + c.fileIdent() + ": " + r.errorCode() + " "
                + r.message() + "\n" + log);
        }
        log.append("upload c").append(c.fileIdent()).append(" n=").append(r.integrated()).append('\n');
        if (trace != null)
        {
            final ChangesetWriter writer = new ChangesetWriter();
            for (final var e : server.client(c.fileIdent()).reciprocals().entrySet())
            {
                trace.writeBytes(ByteBuffer.allocate(12).putInt((int)c.fileIdent()).putLong(e.getKey()).array());
                trace.writeBytes(writer.toBytes(e.getValue()));
            }
            trace.writeBytes(ByteBuffer.allocate(8).putInt(r.integrated()).putInt(r.skipped()).array());
        }
        if (!server.client(c.fileIdent()).reciprocals().isEmpty())
        {
            uploadsWithReciprocals++;
        }
        final List<UploadEntry> fresh = entries.subList(entries.size() - r.integrated(), entries.size());
        for (int i = 0; i < fresh.size(); i++)
        {
            final long v = server.headVersion() - fresh.size() + 1 + i;
            if (!server.entry(v).changeset().instructions().equals(fresh.get(i).changeset().instructions()))
            {
                transformedUploads++;
            }
        }
    }

    void download(final ClientIntegrator c, final int maxEntries)
    {
        final DownloadBatch batch = DownloadBatch.scan(server, c.fileIdent(), c.downloadServerVersion(),
            c.downloadClientVersion(), maxEntries);
        final IntegrationResult r = c.integrate(batch, server.client(c.fileIdent()));
        if (!r.ok())
        {
            throw new AssertionError("client c" + c.fileIdent() + " rejected download: " + r.errorCode() + " "
                + r.message() + "\n" + log);
        }
        log.append("download c").append(c.fileIdent()).append(" n=").append(batch.entries().size()).append('\n');
    }

    /** Every history entry's bytes and metadata, concatenated. */
    byte[] historyBytes()
    {
        final ChangesetWriter writer = new ChangesetWriter();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long v = 1; v <= server.headVersion(); v++)
        {
            final HistoryEntry e = server.entry(v);
            out.writeBytes(ByteBuffer.allocate(24).putLong(e.originFileIdent()).putLong(e.clientVersion())
                .putLong(e.originTimestamp()).array());
            final byte[] bytes = writer.toBytes(e.changeset());
            out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------------------------------------ workload

    static Changeset schema()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addTable("Sub", Instr.TABLE_EMBEDDED, null, 0, false);
        b.addColumn("Sub", "x", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "s", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "m", Instr.TYPE_NULL, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "list", Instr.TYPE_INT, false, Instr.COLLECTION_LIST, null, 0);
        b.addColumn("Item", "tags", Instr.TYPE_STRING, false, Instr.COLLECTION_SET, null, 0);
        b.addColumn("Item", "dict", Instr.TYPE_INT, true, Instr.COLLECTION_DICTIONARY, null, Instr.TYPE_STRING);
        b.addColumn("Item", "emb", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Sub", 0);
        b.addColumn("Item", "subs", Instr.TYPE_LINK, false, Instr.COLLECTION_LIST, "Sub", 0);
        b.addColumn("Item", "link", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Item", 0);
        return b.changeset();
    }

    /** 1-3 random operations valid against {@code state} (checked on a scratch copy as they are generated). */
    Changeset randomChangeset(final ObjectState state)
    {
        final ObjectState scratch = state.copy();
        final ChangesetApplier scratchApplier = new ChangesetApplier(scratch);
        final Changeset all = new Changeset();
        final int ops = 1 + random.nextInt(3);
        for (int i = 0; i < ops; i++)
        {
            final ChangesetBuilder one = new ChangesetBuilder();
            randomOp(scratch, one);
            final ApplyResult r = scratchApplier.apply(one.changeset());
            if (!r.ok())
            {
                throw new AssertionError("generator produced an invalid op: " + r.message());
            }
            one.changeset().instructions().forEach(all::add);
        }
        return all;
    }

    private void randomOp(final ObjectState s, final ChangesetBuilder b)
    {
        if (privateKeys && destructive && random.nextInt(30) == 0)
        {
            // rare destructive schema changes: erase the Extra class or an extra column (re-added later by others)
            if (s.table("Extra") != null && random.nextBoolean())
            {
                b.eraseTable("Extra");
                return;
            }
            final String column = "extra" + random.nextInt(2);
            if (s.table("Item").column(column) != null)
            {
                b.eraseColumn("Item", column);
                return;
            }
        }
        final Value key = new Value.Int((privateKeys && random.nextInt(3) != 0 ? 100 * actor : 0)
            + random.nextInt(KEYS));
        final ObjectData o = s.object("Item", key);
        if (privateKeys && destructive && o != null && random.nextInt(5) == 0)
        {
            final String column = "extra" + random.nextInt(2);
            if (s.table("Item").column(column) != null)
            {
                b.update("Item", key, column, NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextInt(9)), false, -1);
                return;
            }
        }
        final int kind = random.nextInt(o == null ? 3 : 26);
        if (o == null || kind == 0)
        {
            if (kind == 1 && o == null)
            {
                b.addColumn("Item", "extra" + random.nextInt(2), Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null,
                    0);
                return;
            }
            b.createObject("Item", key);
            return;
        }
        switch (kind)
        {
            case 1 -> b.eraseObject("Item", key);
            case 2, 3 -> b.update("Item", key, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextInt(100)),
                random.nextInt(8) == 0, -1);
            case 4 -> b.addInteger("Item", key, "n", NO_PATH, random.nextInt(10) - 3);
            case 5 -> b.update("Item", key, "s", NO_PATH, random.nextBoolean() ? Instr.TYPE_NULL : Instr.TYPE_STRING,
                new Value.Str("s" + random.nextInt(5)), false, -1);
            case 6, 7 ->
            {
                final int size = ((Value.ListValue)o.get("list")).items().size();
                b.arrayInsert("Item", key, "list", new Object[] {(long)random.nextInt(size + 1)}, Instr.TYPE_INT,
                    new Value.Int(random.nextInt(1000)), size);
            }
            case 8 ->
            {
                final int size = ((Value.ListValue)o.get("list")).items().size();
                if (size == 0)
                {
                    b.createObject("Item", key);
                    return;
                }
                b.arrayErase("Item", key, "list", new Object[] {(long)random.nextInt(size)}, size);
            }
            case 9 ->
            {
                final int size = ((Value.ListValue)o.get("list")).items().size();
                if (size < 2)
                {
                    b.createObject("Item", key);
                    return;
                }
                final int from = random.nextInt(size);
                int to = random.nextInt(size - 1);
                to = to >= from ? to + 1 : to;
                b.arrayMove("Item", key, "list", new Object[] {(long)from}, to, size);
            }
            case 10 ->
            {
                final int size = ((Value.ListValue)o.get("list")).items().size();
                if (size == 0)
                {
                    b.createObject("Item", key);
                    return;
                }
                b.update("Item", key, "list", new Object[] {(long)random.nextInt(size)}, Instr.TYPE_INT,
                    new Value.Int(-random.nextInt(50)), false, size);
            }
            case 11 -> b.setInsert("Item", key, "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("t" + random.nextInt(4)));
            case 12 -> b.setErase("Item", key, "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("t" + random.nextInt(4)));
            case 13 ->
            {
                final boolean erase = random.nextInt(3) == 0;
                b.update("Item", key, "dict", new Object[] {"k" + random.nextInt(3)},
                    erase ? Instr.TYPE_ERASED : Instr.TYPE_INT, new Value.Int(random.nextInt(9)), false, -1);
            }
            case 14 -> b.update("Item", key, "emb", NO_PATH, random.nextInt(4) == 0 ? Instr.TYPE_NULL
                : Instr.TYPE_OBJECT_VALUE, null, false, -1);
            case 15 ->
            {
                if (o.get("emb") instanceof Value.Null)
                {
                    b.update("Item", key, "emb", NO_PATH, Instr.TYPE_OBJECT_VALUE, null, false, -1);
                }
                b.update("Item", key, "emb", new Object[] {"x"}, Instr.TYPE_INT, new Value.Int(random.nextInt(20)),
                    false, -1);
            }
            case 16 ->
            {
                final int size = ((Value.ListValue)o.get("subs")).items().size();
                if (size > 0 && random.nextBoolean())
                {
                    b.update("Item", key, "subs", new Object[] {(long)random.nextInt(size), "x"}, Instr.TYPE_INT,
                        new Value.Int(random.nextInt(20)), false, -1);
                }
                else
                {
                    b.arrayInsert("Item", key, "subs", new Object[] {(long)random.nextInt(size + 1)},
                        Instr.TYPE_OBJECT_VALUE, null, size);
                }
            }
            case 17 -> b.update("Item", key, "link", NO_PATH, Instr.TYPE_LINK,
                new Value.Link("Item", new Value.Int(random.nextInt(KEYS))), false, -1);
            case 18 -> b.update("Item", key, "m", NO_PATH, random.nextBoolean() ? Instr.TYPE_STRING : Instr.TYPE_INT,
                random.nextBoolean() ? new Value.Str("m" + random.nextInt(3)) : new Value.Int(random.nextInt(3)), false,
                -1);
            case 19 -> b.update("Item", key, "m", NO_PATH, Instr.TYPE_NULL, null, false, -1);
            case 20 -> b.clear("Item", key, "list", NO_PATH, Instr.COLLECTION_LIST);
            case 22, 23 ->
            {
                // Schema addition made independently by several clients (identical specs), then used at once.
                final Value extraKey = new Value.Str("e" + random.nextInt(3));
                b.addTable("Extra", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, false);
                b.addColumn("Extra", "v", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
                b.addColumn("Extra", "items", Instr.TYPE_LINK, false, Instr.COLLECTION_LIST, "Item", 0);
                b.createObject("Extra", extraKey);
                b.update("Extra", extraKey, "v", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextInt(5)), false, -1);
                final ObjectData extra = s.object("Extra", extraKey);
                final int size = extra == null ? 0 : ((Value.ListValue)extra.get("items")).items().size();
                b.arrayInsert("Extra", extraKey, "items", new Object[] {(long)random.nextInt(size + 1)}, Instr.TYPE_LINK,
                    new Value.Link("Item", key), size);
            }
            case 24 -> b.update("Item", key, "dict", new Object[] {"k" + random.nextInt(3)}, Instr.TYPE_NULL, null,
                false, -1);
            case 25 ->
            {
                // Erase and re-create in one transaction: incoming links stay, the object starts over.
                b.eraseObject("Item", key);
                b.createObject("Item", key);
                b.update("Item", key, "s", NO_PATH, Instr.TYPE_STRING, new Value.Str("again"), false, -1);
            }
            default -> b.addColumn("Item", "extra" + random.nextInt(2), Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE,
                null, 0);
        }
    }
}
