package dev.outpost.server.store;

import java.nio.file.Path;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;

/** Deterministic payloads and store opening shared by the store tests and the kill -9 child. */
final class StoreTestSupport
{
    private StoreTestSupport()
    {
    }

    static StoreConfig config(final Path dir)
    {
        return new StoreConfig().dataDir(dir).blockSize(4L << 20).timeoutMs(500);
    }

    /** @return the changeset a test writes as {@code version} of {@code name}: 0..maxLength bytes, seeded. */
    static byte[] payload(final String name, final long version, final int maxLength)
    {
        final SplittableRandom r = new SplittableRandom(name.hashCode() * 1_000_003L + version);
        final byte[] b = new byte[r.nextInt(maxLength + 1)];
        r.nextBytes(b);
        return b;
    }

    static byte[] bytes(final EntryView view)
    {
        final byte[] b = new byte[view.changesetLength()];
        view.changeset().getBytes(0, b);
        return b;
    }

    /** Appends {@link #payload} as the next version of {@code file} from an off-heap buffer. */
    static long appendPayload(final StoreShard shard, final ServerFile file, final int maxLength)
    {
        final long version = file.lastAppended() + 1;
        final byte[] p = payload(file.name(), version, maxLength);
        final UnsafeBuffer direct = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(Math.max(1, p.length)));
        direct.putBytes(0, p);
        return shard.append(file, 100 + version % 3, version * 10, 1_000_000 + version, p.length + 7, direct, 0,
            p.length);
    }
}
