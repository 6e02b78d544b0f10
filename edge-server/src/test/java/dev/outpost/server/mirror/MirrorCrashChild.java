package dev.outpost.server.mirror;

import dev.outpost.server.config.MirrorSettings;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreShard;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * Child JVM of {@link MirrorCrashIT}: appends {@code count} changesets to a history store (see
 * {@link MirrorCrashIT#changeset}), starts the mirror into {@code url}/{@code schema}, prints {@code READY} and
 * waits to be killed. Args: data dir, count, url, schema.
 */
public final class MirrorCrashChild
{
    private MirrorCrashChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int count = Integer.parseInt(args[1]);
        final HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(Path.of(args[0])).shardCount(1));
        final StoreShard shard = store.shardFor(MirrorCrashIT.FILE);
        final ServerFile f = shard.createServerFile(MirrorCrashIT.FILE);
        for (int k = 1; k <= count; k++)
        {
            final byte[] c = MirrorCrashIT.changeset(k);
            shard.append(f, 1, 0, 0, c.length, new UnsafeBuffer(c), 0, c.length);
            shard.publish();
        }
        PgMirror.start("app", new MirrorSettings(args[2], args[3]), null, null, store, new ServerMetrics());
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
