package dev.outpost.server.backup;

import dev.outpost.server.auth.AuthStore;
import dev.outpost.server.store.HistoryStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * {@code outpost backup} and {@code outpost restore}.
 * <p>
 * A backup is a data directory: every history store in the source (the directories holding
 * {@value HistoryStore#FORMAT_FILE}: {@code sync/}, or {@code apps/<id>/sync/}) copied record by record
 * ({@link StoreCopy}) first, then every {@value AuthStore#FILE_NAME} cut at its last complete line, then the other
 * files (keys, TLS) as they are, all fsynced, and last {@value #MARKER} naming what it holds. It can be served as
 * it is, or restored into a new data directory. Safe while the server runs: nothing in the source is written or
 * locked. The auth logs are copied after the stores so that every refresh session of a client whose data is in the
 * backup is in it too.
 */
public final class Backup
{
    /** Written last into a backup: when, from where, what. Its presence marks a complete backup. */
    public static final String MARKER = "outpost-backup.properties";

    private Backup()
    {
    }

    /** What a backup or restore copied. */
    public record Summary(int stores, long records, int serverFiles, int authLogs, long authRecords, int otherFiles)
    {
        @Override
        public String toString()
        {
            return stores + " history store(s): " + records + " records, " + serverFiles + " server files; " +
                authLogs + " auth log(s): " + authRecords + " records; " + otherFiles + " other file(s)";
        }
    }

    /**
     * @param dataDir a server's data directory (the server may be running).
     * @param to      a missing or empty directory.
     * @return what was copied.
     * @throws BackupException if {@code dataDir} is no data directory, {@code to} is not empty, or I/O fails.
     */
    public static Summary backup(final Path dataDir, final Path to) throws BackupException
    {
        requireDataDir(dataDir);
        requireEmpty(to, "--to");
        try
        {
            final Summary summary = copyTree(dataDir, to, false);
            final Properties marker = new Properties();
            marker.setProperty("created", Instant.now().toString());
            marker.setProperty("source", dataDir.toAbsolutePath().toString());
            marker.setProperty("store-format", Integer.toString(HistoryStore.FORMAT_VERSION));
            marker.setProperty("summary", summary.toString());
            final Path tmp = to.resolve(MARKER + ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))
            {
                marker.store(w, "outpost backup: serve this directory, or 'outpost restore --from' it");
            }
            force(tmp);
            Files.move(tmp, to.resolve(MARKER), StandardCopyOption.ATOMIC_MOVE);
            force(to);
            return summary;
        }
        catch (final IOException ex)
        {
            throw new BackupException("backup of " + dataDir + " to " + to + " failed: " + ex, false);
        }
    }

    /**
     * @param from    a backup made by {@link #backup} (holding {@value #MARKER}).
     * @param dataDir a missing or empty directory (so no server runs on it).
     * @return what was copied.
     * @throws BackupException if {@code from} is no complete backup, {@code dataDir} is in use or not empty, or
     *                         I/O fails.
     */
    public static Summary restore(final Path from, final Path dataDir) throws BackupException
    {
        if (!Files.isRegularFile(from.resolve(MARKER)))
        {
            throw new BackupException(from + " is not a complete backup: it has no " + MARKER + " (made last by " +
                "'outpost backup'; a backup cut short has none)", true);
        }
        requireEmpty(dataDir, "--data-dir");
        try
        {
            final Summary summary = copyTree(from, dataDir, true);
            force(dataDir);
            return summary;
        }
        catch (final IOException ex)
        {
            throw new BackupException("restore of " + from + " into " + dataDir + " failed: " + ex, false);
        }
    }

    private static void requireDataDir(final Path dataDir) throws BackupException
    {
        if (!Files.isDirectory(dataDir))
        {
            throw new BackupException("data directory " + dataDir + " does not exist", true);
        }
        try (Stream<Path> all = Files.walk(dataDir, 4))
        {
            if (all.noneMatch(p -> p.getFileName().toString().equals(AuthStore.FILE_NAME) ||
                p.getFileName().toString().equals(HistoryStore.FORMAT_FILE)))
            {
                throw new BackupException(dataDir + " is not an Outpost data directory (no " + AuthStore.FILE_NAME +
                    " and no history store)", true);
            }
        }
        catch (final IOException ex)
        {
            throw new BackupException("cannot read " + dataDir + ": " + ex.getMessage(), false);
        }
    }

    /** The target must be missing or empty; a directory a server uses is never empty (it holds its auth log). */
    private static void requireEmpty(final Path dir, final String option) throws BackupException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        if (!Files.isDirectory(dir))
        {
            throw new BackupException(option + " " + dir + " is not a directory", true);
        }
        try (Stream<Path> entries = Files.list(dir))
        {
            if (entries.findAny().isPresent())
            {
                throw new BackupException(option + " " + dir + " is not empty" + (locked(dir.resolve(
                    AuthStore.FILE_NAME)) ? ": a running Outpost server uses it. Stop it first" :
                    ": give a new or empty directory"), true);
            }
        }
        catch (final IOException ex)
        {
            throw new BackupException("cannot read " + dir + ": " + ex.getMessage(), false);
        }
    }

    /** @return true if another process (a running server) holds the lock of {@code authLog}. */
    private static boolean locked(final Path authLog)
    {
        if (!Files.isRegularFile(authLog))
        {
            return false;
        }
        try (FileChannel ch = FileChannel.open(authLog, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final FileLock lock = ch.tryLock();
            if (null == lock)
            {
                return true;
            }
            lock.release();
            return false;
        }
        catch (final OverlappingFileLockException ex)
        {
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static Summary copyTree(final Path from, final Path to, final boolean restoring)
        throws IOException, BackupException
    {
        final List<Path> stores = new ArrayList<>();
        final List<Path> authLogs = new ArrayList<>();
        final List<Path> others = new ArrayList<>();
        collect(from, from, stores, authLogs, others, restoring);
        createOwnerOnlyDirectories(to);
        long records = 0;
        int serverFiles = 0;
        for (final Path store : stores)
        {
            final StoreCopy.Result r = StoreCopy.copy(store, to.resolve(from.relativize(store).toString()));
            records += r.records();
            serverFiles += r.serverFiles();
        }
        long authRecords = 0;
        for (final Path log : authLogs)
        {
            authRecords += copyAuthLog(log, to.resolve(from.relativize(log).toString()));
        }
        for (final Path file : others)
        {
            final Path target = to.resolve(from.relativize(file).toString());
            createOwnerOnlyDirectories(target.getParent());
            Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        forceTree(to);
        return new Summary(stores.size(), records, serverFiles, authLogs.size(), authRecords, others.size());
    }

    /** Sorts the files under {@code dir}: history stores (copied whole), auth logs, and everything else. */
    private static void collect(final Path root, final Path dir, final List<Path> stores, final List<Path> authLogs,
        final List<Path> others, final boolean restoring) throws IOException
    {
        if (Files.isRegularFile(dir.resolve(HistoryStore.FORMAT_FILE)))
        {
            stores.add(dir);
            return;
        }
        final Path[] entries;
        try (Stream<Path> list = Files.list(dir))
        {
            entries = list.sorted().toArray(Path[]::new);
        }
        for (final Path p : entries)
        {
            final String name = p.getFileName().toString();
            if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
            {
                collect(root, p, stores, authLogs, others, restoring);
            }
            else if (name.equals(AuthStore.FILE_NAME))
            {
                authLogs.add(p);
            }
            else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !name.endsWith(".tmp") &&
                !name.endsWith(".chain") &&
                !(restoring && dir.equals(root) && name.equals(MARKER)))
            {
                others.add(p);
            }
        }
    }

    /**
     * Copies an auth log up to its last complete line (a line being appended is left out, as a restart would cut
     * it off). The header is read again after the records: a server that upgrades the log's format rewrites the
     * header in place before writing the first record of the new version, so the last header read is the one the
     * copied records need.
     *
     * @return the number of records copied.
     */
    private static long copyAuthLog(final Path from, final Path to) throws IOException
    {
        final byte[] all = Files.readAllBytes(from);
        int end = all.length;
        while (end > 0 && all[end - 1] != '\n')
        {
            end--;
        }
        final byte[] copy = Arrays.copyOf(all, end);
        final int headerEnd = indexOf(copy, (byte)'\n');
        if (headerEnd > 0)
        {
            final byte[] header = new byte[headerEnd];
            try (InputStream in = Files.newInputStream(from))
            {
                if (in.readNBytes(header, 0, headerEnd) == headerEnd && indexOf(header, (byte)'\n') < 0)
                {
                    System.arraycopy(header, 0, copy, 0, headerEnd);
                }
            }
        }
        createOwnerOnlyDirectories(to.getParent());
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
        {
            Files.createFile(to, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.write(to, copy, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        long lines = 0;
        for (final byte b : copy)
        {
            lines += b == '\n' ? 1 : 0;
        }
        return Math.max(0, lines - 1);
    }

    private static int indexOf(final byte[] bytes, final byte b)
    {
        for (int i = 0; i < bytes.length; i++)
        {
            if (bytes[i] == b)
            {
                return i;
            }
        }
        return -1;
    }

    private static void createOwnerOnlyDirectories(final Path dir) throws IOException
    {
        if (Files.isDirectory(dir))
        {
            return;
        }
        if (null != dir.getParent())
        {
            createOwnerOnlyDirectories(dir.getParent());
        }
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
        {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                "rwx------")));
        }
        else
        {
            Files.createDirectory(dir);
        }
    }

    private static void forceTree(final Path dir) throws IOException
    {
        try (Stream<Path> all = Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)all::iterator)
            {
                force(p);
            }
        }
    }

    /** fsync a file, or a directory (its entries) where the platform allows it. */
    private static void force(final Path p) throws IOException
    {
        if (Files.isDirectory(p))
        {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ))
            {
                ch.force(true);
            }
            catch (final IOException ex)
            {
                // not every platform opens directories
            }
            return;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE))
        {
            ch.force(true);
        }
    }
}
