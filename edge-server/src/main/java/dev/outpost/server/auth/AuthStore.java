package dev.outpost.server.auth;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.zip.CRC32;

/**
 * Durable store of users and refresh sessions: an append-only log file in the data directory, replayed into memory
 * at start.
 * <p>
 * On-disk format ({@value #FILE_NAME}, UTF-8 text, owner-only permissions):
 * <pre>
 *   OUTPOST-AUTH 1\n                      header: magic and format version
 *   &lt;crc32, 8 hex&gt; &lt;json record&gt;\n       one record per line, CRC-32 of the JSON bytes
 *   ...
 * records: {"t":"user","id":..,"app":..,"provider":..,"identity":..,"created":secs}
 *          {"t":"session","id":..,"user":..,"device":..,"created":secs}
 *          {"t":"revoke","id":&lt;session id&gt;,"at":secs}
 * </pre>
 * A file with another version is refused with a message naming both versions. A torn last line (crash during a
 * write) is cut off at start; a damaged line before the last one is refused.
 * <p>
 * Threading: reads ({@link #user}, {@link #session}) are lock-free from any thread. Writes are queued to one writer
 * thread that appends a batch, fsyncs once (group commit), then publishes the records to memory and completes the
 * futures: a record is visible only once durable. Callers on an event loop never block.
 */
public final class AuthStore implements AutoCloseable
{
    public static final String FILE_NAME = "auth.log";
    public static final int FORMAT_VERSION = 1;
    static final String MAGIC = "OUTPOST-AUTH";

    private static final int MAX_BATCH = 256;
    private static final Write POISON = new Write(List.of(), () -> {});

    private final Path file;
    private final FileChannel channel;
    private final Map<String, UserRecord> users = new ConcurrentHashMap<>();
    private final Map<String, RefreshSession> sessions = new ConcurrentHashMap<>();
    private final BlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    private AuthStore(final Path file, final FileChannel channel)
    {
        this.file = file;
        this.channel = channel;
        this.writer = new Thread(this::runWriter, "outpost-auth-writer");
        this.writer.setDaemon(true);
    }

    /**
     * Open (or create) the store in a data directory and replay it.
     *
     * @param dataDir the server's data directory.
     * @return the open store.
     * @throws IOException if the file cannot be read or written, has an unknown version or is damaged.
     */
    public static AuthStore open(final Path dataDir) throws IOException
    {
        final Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file))
        {
            createOwnerOnly(file);
        }
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        final AuthStore store = new AuthStore(file, channel);
        try
        {
            // Two servers appending to one log would corrupt it; the lock is released when the channel closes.
            boolean locked;
            try
            {
                locked = null != channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                locked = false; // held by another store in this JVM
            }
            if (!locked)
            {
                throw new IOException(file + " is locked by another process: is another Outpost server using " +
                    "data directory " + dataDir + "?");
            }
            store.replay();
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
        store.writer.start();
        return store;
    }

    /**
     * @param userId 24-hex id.
     * @return the user or null.
     */
    public UserRecord user(final String userId)
    {
        return users.get(userId);
    }

    /**
     * @param sessionId 24-hex id.
     * @return the refresh session (possibly revoked) or null.
     */
    public RefreshSession session(final String sessionId)
    {
        return sessions.get(sessionId);
    }

    /**
     * @return number of users known.
     */
    public int userCount()
    {
        return users.size();
    }

    /**
     * Durably add a new user together with its first refresh session.
     *
     * @param user    the user.
     * @param session its session.
     * @return completes (on the writer thread) once both are on disk and visible.
     */
    public CompletableFuture<Void> addUserAndSession(final UserRecord user, final RefreshSession session)
    {
        final JsonObject u = new JsonObject().put("t", "user").put("id", user.id()).put("app", user.appId())
            .put("provider", user.provider()).put("identity", user.identityId()).put("created", user.createdAt());
        final JsonObject s = sessionJson(session);
        return submit(new Write(List.of(u, s), () ->
        {
            users.put(user.id(), user);
            sessions.put(session.id(), session);
        }));
    }

    /**
     * Durably revoke a refresh session. Revoking an unknown or already revoked session is a no-op that still
     * completes.
     *
     * @param sessionId    session to revoke.
     * @param epochSeconds time of the revocation.
     * @return completes once the revocation is on disk and visible.
     */
    public CompletableFuture<Void> revoke(final String sessionId, final long epochSeconds)
    {
        final JsonObject r = new JsonObject().put("t", "revoke").put("id", sessionId).put("at", epochSeconds);
        return submit(new Write(List.of(r), () -> sessions.computeIfPresent(sessionId, (k, s) -> s.revoke())));
    }

    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        queue.add(POISON);
        try
        {
            writer.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing a file we only appended to and fsynced
        }
    }

    private CompletableFuture<Void> submit(final Write write)
    {
        if (closed)
        {
            return CompletableFuture.failedFuture(new IOException("auth store is closed"));
        }
        queue.add(write);
        return write.future;
    }

    private void runWriter()
    {
        final List<Write> batch = new ArrayList<>();
        while (true)
        {
            try
            {
                batch.add(queue.take());
            }
            catch (final InterruptedException ex)
            {
                continue;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            final boolean stop = batch.remove(POISON);
            try
            {
                final StringBuilder text = new StringBuilder();
                for (final Write w : batch)
                {
                    for (final JsonObject record : w.records)
                    {
                        appendLine(text, record);
                    }
                }
                final ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                long position = channel.size();
                while (bytes.hasRemaining())
                {
                    position += channel.write(bytes, position);
                }
                channel.force(false);
                for (final Write w : batch)
                {
                    w.apply.run();
                    w.future.complete(null);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                for (final Write w : batch)
                {
                    w.future.completeExceptionally(ex);
                }
            }
            batch.clear();
            if (stop)
            {
                return;
            }
        }
    }

    private void replay() throws IOException
    {
        final long size = channel.size();
        if (size == 0)
        {
            final ByteBuffer header = ByteBuffer.wrap(
                (MAGIC + " " + FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
            channel.write(header, 0);
            channel.force(true);
            return;
        }
        if (size > Integer.MAX_VALUE - 16)
        {
            throw new IOException(file + ": auth log larger than 2 GiB is not supported");
        }
        final ByteBuffer all = ByteBuffer.allocate((int)size);
        while (all.hasRemaining() && channel.read(all, all.position()) >= 0)
        {
            // read fully
        }
        final byte[] bytes = all.array();
        final int headerEnd = indexOf(bytes, 0, (byte)'\n');
        final String header = new String(bytes, 0, headerEnd < 0 ? Math.min(bytes.length, 64) : headerEnd,
            StandardCharsets.US_ASCII);
        checkHeader(header);

        int lineStart = headerEnd + 1;
        int lineNo = 2;
        while (lineStart < bytes.length)
        {
            final int lineEnd = indexOf(bytes, lineStart, (byte)'\n');
            final boolean last = lineEnd < 0 || lineEnd == bytes.length - 1;
            final JsonObject record = lineEnd < 0 ? null : parseLine(bytes, lineStart, lineEnd);
            if (null == record)
            {
                if (!last)
                {
                    throw new IOException(file + ": damaged record at line " + lineNo +
                        " (CRC or JSON mismatch before the end of the log); refusing to start");
                }
                channel.truncate(lineStart);
                channel.force(true);
                System.getLogger(AuthStore.class.getName()).log(System.Logger.Level.WARNING,
                    file + ": cut off a torn last record at line " + lineNo + " (interrupted write)");
                return;
            }
            applyRecord(record, lineNo);
            lineStart = lineEnd + 1;
            lineNo++;
        }
    }

    private void checkHeader(final String header) throws IOException
    {
        if (!header.startsWith(MAGIC + " "))
        {
            throw new IOException(file + " is not an Outpost auth log (header '" + header + "')");
        }
        final String version = header.substring(MAGIC.length() + 1);
        if (!String.valueOf(FORMAT_VERSION).equals(version))
        {
            throw new IOException(file + " has auth log format version '" + version + "'; this server reads " +
                "version " + FORMAT_VERSION + " only");
        }
    }

    private void applyRecord(final JsonObject r, final int lineNo) throws IOException
    {
        final String type = r.getString("t", "");
        switch (type)
        {
            case "user":
                users.put(r.getString("id"), new UserRecord(r.getString("id"), r.getString("app"),
                    r.getString("provider"), r.getString("identity"), r.getLong("created", 0L)));
                break;
            case "session":
                sessions.put(r.getString("id"), new RefreshSession(r.getString("id"), r.getString("user"),
                    r.getString("device"), r.getLong("created", 0L), false));
                break;
            case "revoke":
                sessions.computeIfPresent(r.getString("id"), (k, s) -> s.revoke());
                break;
            default:
                throw new IOException(file + ": unknown record type '" + type + "' at line " + lineNo);
        }
    }

    private static JsonObject parseLine(final byte[] bytes, final int start, final int end)
    {
        if (end - start < 10 || bytes[start + 8] != ' ')
        {
            return null;
        }
        final long expected;
        try
        {
            expected = Long.parseLong(new String(bytes, start, 8, StandardCharsets.US_ASCII), 16);
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
        final CRC32 crc = new CRC32();
        crc.update(bytes, start + 9, end - start - 9);
        if (crc.getValue() != expected)
        {
            return null;
        }
        try
        {
            return new JsonObject(new String(bytes, start + 9, end - start - 9, StandardCharsets.UTF_8));
        }
        catch (final DecodeException ex)
        {
            return null;
        }
    }

    private static void appendLine(final StringBuilder out, final JsonObject record)
    {
        final byte[] json = record.encode().getBytes(StandardCharsets.UTF_8);
        final CRC32 crc = new CRC32();
        crc.update(json);
        final String hex = Long.toHexString(crc.getValue());
        out.append("0".repeat(8 - hex.length())).append(hex).append(' ')
            .append(new String(json, StandardCharsets.UTF_8)).append('\n');
    }

    private static JsonObject sessionJson(final RefreshSession s)
    {
        return new JsonObject().put("t", "session").put("id", s.id()).put("user", s.userId())
            .put("device", s.deviceId()).put("created", s.createdAt());
    }

    private static int indexOf(final byte[] bytes, final int from, final byte b)
    {
        for (int i = from; i < bytes.length; i++)
        {
            if (bytes[i] == b)
            {
                return i;
            }
        }
        return -1;
    }

    static void createOwnerOnly(final Path file) throws IOException
    {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
        {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        else
        {
            Files.createFile(file);
        }
    }

    private static final class Write
    {
        final List<JsonObject> records;
        final Runnable apply;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Write(final List<JsonObject> records, final Runnable apply)
        {
            this.records = records;
            this.apply = apply;
        }
    }
}
