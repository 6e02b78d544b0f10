package dev.outpost.server.store;

import java.io.PrintStream;
import java.nio.file.Path;

import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The child JVM of {@link CrashRecoveryTest}: writes to a store and prints, after each durable step, what it
 * acknowledged, until it is killed. Lines:
 * {@code FILE name salt}, {@code IDENT name ident salt}, {@code ACK name version}, {@code TORN}.
 */
public final class CrashChild
{
    static final int FILES = 10;
    static final int MAX_PAYLOAD = 400;

    private CrashChild()
    {
    }

    static StoreConfig config(final Path dir, final boolean secondly)
    {
        final StoreConfig config = StoreTestSupport.config(dir);
        return secondly ? config.rollCycle(TestRollCycles.TEST_SECONDLY) : config;
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final boolean torn = args.length > 1 && args[1].startsWith("torn");
        // "commands": every step is a batch of commands (one aborted now and then), committed by its publish
        final boolean commands = args.length > 1 && args[1].equals("commands");
        final boolean secondly = args.length > 1 && args[1].endsWith("secondly");
        final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        final long deadline = System.nanoTime() + 60_000_000_000L; // never outlive a dead parent for long
        try (HistoryStore store = HistoryStore.open(config(dir, secondly)))
        {
            final ServerFile[] files = new ServerFile[FILES];
            for (int i = 0; i < FILES; i++)
            {
                final String name = "/k" + i;
                files[i] = store.shardFor(name).createServerFile(name);
                out.println("FILE " + name + " " + files[i].salt());
            }
            out.flush();
            long step = 0;
            while (System.nanoTime() < deadline)
            {
                step++;
                final ServerFile f = files[(int)(step % FILES)];
                final StoreShard shard = store.shardFor(f.name());
                if (step % 7 == 0)
                {
                    final ClientFileRecord c = shard.allocateClientFile(f, 0, step);
                    out.println("IDENT " + f.name() + " " + c.ident() + " " + c.salt());
                }
                final int batch = 1 + (int)(step % 5);
                for (int i = 0; i < batch; i++)
                {
                    if (commands)
                    {
                        shard.beginCommand();
                    }
                    StoreTestSupport.appendPayload(shard, f, MAX_PAYLOAD);
                    if (commands)
                    {
                        shard.endCommand();
                    }
                    if (commands && (step + i) % 3 == 0)
                    {
                        // a failed command: its (wrong) entries must never reappear
                        shard.beginCommand();
                        final byte[] junk = new byte[] {(byte)0xde, (byte)0xad};
                        shard.append(f, 1, 0, 0, 2, new org.agrona.concurrent.UnsafeBuffer(junk), 0, 2);
                        shard.append(f, 1, 0, 0, 2, new org.agrona.concurrent.UnsafeBuffer(junk), 0, 2);
                        shard.abortCommand();
                    }
                }
                shard.publish();
                out.println("ACK " + f.name() + " " + f.head());
                out.flush();
                if (torn && step == (secondly ? 50 : 500))
                {
                    // Die in the middle of a record: header claimed, half the body written, never completed.
                    final DocumentContext dc = shard.appenderForTest().writingDocument();
                    dc.wire().bytes().writeByte(RecordLayout.ENTRY).writeByte(RecordLayout.LAYOUT_VERSION)
                        .writeShort((short)0).writeInt(f.fileId()).writeLong(f.lastAppended() + 1).writeLong(2);
                    out.println("TORN");
                    out.flush();
                    Thread.sleep(60_000);
                }
            }
        }
    }
}
