package dev.outpost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Model-based: a random sequence of store operations, applied both to the store and to a plain in-memory model,
 * survives close and reopen exactly as the model says (history bytes and metadata, salts, idents, client state,
 * reciprocals after overwrite and trim).
 */
class StoreModelTest
{
    private static final String[] NAMES = {"/a", "/b", "/c", "/d", "/e"};

    @Property(tries = 15)
    void reopenedStoreMatchesTheModel(@ForAll @Size(min = 1, max = 150) final List<@IntRange(min = 0) Integer> ops)
        throws Exception
    {
        final Path dir = Files.createTempDirectory("outpost-store-model");
        try
        {
            final Map<String, FileModel> model = new HashMap<>();
            try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir).shardCount(2)))
            {
                for (final int op : ops)
                {
                    apply(store, model, op);
                }
                // unpublished appends are durable too: they reappear as history after reopen
            }
            try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir)))
            {
                check(store, model);
            }
        }
        finally
        {
            delete(dir);
        }
    }

    static void apply(final HistoryStore store, final Map<String, FileModel> model, final int op)
    {
        apply(store, model, op, true);
    }

    /** One random operation; with {@code publish} false, the publishing kind does nothing (inside a command). */
    static void apply(final HistoryStore store, final Map<String, FileModel> model, final int op,
        final boolean publish)
    {
        final SplittableRandom r = new SplittableRandom(op);
        final String name = NAMES[r.nextInt(NAMES.length)];
        final StoreShard shard = store.shardFor(name);
        final ServerFile f = shard.createServerFile(name);
        final FileModel m = model.computeIfAbsent(name, n -> new FileModel(f.salt()));
        switch (r.nextInt(6))
        {
            case 0, 1 ->
            {
                final byte[] p = new byte[r.nextInt(300)];
                r.nextBytes(p);
                final long origin = m.clients.isEmpty() || r.nextBoolean() ? 1 :
                    2 + r.nextInt(m.clients.size());
                final long clientVersion = 1 + r.nextInt(50);
                final long version = shard.append(f, origin, clientVersion, op, p.length, new UnsafeBuffer(p), 0,
                    p.length);
                m.history.add(new Object[] {p, origin, clientVersion, (long)op});
                assertThat(version).isEqualTo(m.history.size());
                final ClientModel c = m.clients.get(origin);
                if (c != null)
                {
                    c.clientVersion = Math.max(c.clientVersion, clientVersion);
                }
            }
            case 2 ->
            {
                final ClientFileRecord c = shard.allocateClientFile(f, r.nextInt(3), op);
                m.clients.put(c.ident(), new ClientModel(c.salt(), c.clientType(), op));
                assertThat(c.ident()).isEqualTo(1 + m.clients.size());
            }
            case 3 ->
            {
                if (!m.clients.isEmpty() && !m.history.isEmpty())
                {
                    final long ident = 2 + r.nextInt(m.clients.size());
                    final ClientModel cm = m.clients.get(ident);
                    if (cm.rhBase < m.history.size())
                    {
                        final long v = cm.rhBase + 1 + r.nextInt((int)(m.history.size() - cm.rhBase));
                        final byte[] p = new byte[r.nextInt(100)];
                        r.nextBytes(p);
                        shard.putReciprocal(f, shard.clientFile(f, ident), v, new UnsafeBuffer(p), 0, p.length);
                        cm.reciprocals.put(v, p);
                    }
                }
            }
            case 4 ->
            {
                if (!m.clients.isEmpty())
                {
                    final long ident = 2 + r.nextInt(m.clients.size());
                    final ClientModel cm = m.clients.get(ident);
                    final long clientVersion = cm.clientVersion + r.nextInt(3);
                    final long rhBase = Math.min(m.history.size(), cm.rhBase + r.nextInt(3));
                    final long locked = Math.max(cm.locked, Math.min(rhBase, cm.locked + r.nextInt(2)));
                    shard.updateClientState(f, shard.clientFile(f, ident), clientVersion, rhBase, locked, op);
                    cm.clientVersion = clientVersion;
                    cm.rhBase = rhBase;
                    cm.locked = locked;
                    cm.lastSeen = op;
                    cm.reciprocals.headMap(rhBase, true).clear();
                }
            }
            default ->
            {
                if (publish)
                {
                    shard.publish();
                }
            }
        }
    }

    static void check(final HistoryStore store, final Map<String, FileModel> model)
    {
        final EntryView view = new EntryView();
        try (HistoryReader reader = store.newReader())
        {
            for (final Map.Entry<String, FileModel> e : model.entrySet())
            {
                final ServerFile f = store.serverFile(e.getKey());
                final StoreShard shard = store.shardFor(e.getKey());
                final FileModel m = e.getValue();
                assertThat(f.salt()).isEqualTo(m.salt);
                assertThat(f.head()).isEqualTo(m.history.size());
                for (int i = 0; i < m.history.size(); i++)
                {
                    final Object[] entry = m.history.get(i);
                    assertThat(reader.read(f, i + 1, view)).isTrue();
                    assertThat(StoreTestSupport.bytes(view)).isEqualTo((byte[])entry[0]);
                    assertThat(view.originFileIdent()).isEqualTo(entry[1]);
                    assertThat(view.clientVersion()).isEqualTo(entry[2]);
                    assertThat(view.timestamp()).isEqualTo(entry[3]);
                }
                assertThat(f.clientCount()).isEqualTo(m.clients.size());
                for (final Map.Entry<Long, ClientModel> ce : m.clients.entrySet())
                {
                    final ClientFileRecord c = shard.clientFile(f, ce.getKey());
                    final ClientModel cm = ce.getValue();
                    assertThat(c.salt()).isEqualTo(cm.salt);
                    assertThat(c.clientType()).isEqualTo(cm.clientType);
                    assertThat(c.clientVersion()).isEqualTo(cm.clientVersion);
                    assertThat(c.rhBaseVersion()).isEqualTo(cm.rhBase);
                    assertThat(c.lockedServerVersion()).isEqualTo(cm.locked);
                    assertThat(c.lastSeen()).isEqualTo(cm.lastSeen);
                    assertThat(c.reciprocalCount()).isEqualTo(cm.reciprocals.size());
                    for (final Map.Entry<Long, byte[]> re : cm.reciprocals.entrySet())
                    {
                        assertThat(shard.readReciprocal(c, re.getKey(), view)).isTrue();
                        assertThat(StoreTestSupport.bytes(view)).isEqualTo(re.getValue());
                    }
                }
            }
        }
    }

    static void delete(final Path dir) throws IOException
    {
        try (Stream<Path> s = Files.walk(dir))
        {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static final class FileModel
    {
        final long salt;
        final List<Object[]> history = new ArrayList<>();
        final Map<Long, ClientModel> clients = new HashMap<>();

        FileModel(final long salt)
        {
            this.salt = salt;
        }

        FileModel copy()
        {
            final FileModel c = new FileModel(salt);
            c.history.addAll(history);
            clients.forEach((k, v) -> c.clients.put(k, v.copy()));
            return c;
        }
    }

    static Map<String, FileModel> copy(final Map<String, FileModel> model)
    {
        final Map<String, FileModel> c = new HashMap<>();
        model.forEach((k, v) -> c.put(k, v.copy()));
        return c;
    }

    static final class ClientModel
    {
        final long salt;
        final int clientType;
        long clientVersion;
        long rhBase;
        long locked;
        long lastSeen;
        final TreeMap<Long, byte[]> reciprocals = new TreeMap<>();

        ClientModel(final long salt, final int clientType, final long lastSeen)
        {
            this.salt = salt;
            this.clientType = clientType;
            this.lastSeen = lastSeen;
        }

        ClientModel copy()
        {
            final ClientModel c = new ClientModel(salt, clientType, lastSeen);
            c.clientVersion = clientVersion;
            c.rhBase = rhBase;
            c.locked = locked;
            c.reciprocals.putAll(reciprocals);
            return c;
        }
    }
}
