package dev.outpost.server.auth;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.CharBuffer;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
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
 *   OUTPOST-AUTH 2\n                      header: magic and format version (1 or 2)
 *   &lt;crc32, 8 hex&gt; &lt;json record&gt;\n       one record per line, CRC-32 of the JSON bytes
 *   ...
 * records: {"t":"user","id":..,"app":..,"provider":..,"identity":..,"created":secs}
 *          {"t":"session","id":..,"user":..,"device":..,"created":secs}
 *          {"t":"revoke","id":&lt;session id&gt;,"at":secs}
 * version 2 adds (local-userpass credentials and user API keys):
 *          {"t":"userpass","user":..,"email":..,"salt":b64,"hash":b64,"iter":n}
 *          {"t":"apikey","id":..,"user":..,"name":..,"hash":sha256 hex,"created":secs}
 *          {"t":"apikey-state","id":..,"disabled":bool}
 *          {"t":"apikey-delete","id":..}
 *          {"t":"data","user":..,"data":{..}}     profile data (custom-token metadata fields), replaces the last
 * version 3 adds (the admin API's user operations):
 *          {"t":"user-state","id":..,"disabled":bool}  disable or enable a user
 *          {"t":"user-delete","id":..}                   delete a user with its sessions, credentials, keys, data
 *          {"t":"password","user":..,"salt":b64,"hash":b64,"iter":n}  replace a local-userpass password
 * </pre>
 * A new log starts at version 1; version 1 logs are read as they are and stay version 1 (readable by older
 * servers) until the first version-2 record is written: then the header is rewritten in place to version 2 (same length), fsynced, before that record.
 * Likewise a log stays at its version until the first record of a later version (3: the admin API's user records).
 * A file with another version is refused with a message naming the versions this server reads. A torn last line (crash during a
 * write) is cut off at start; a damaged line before the last one is refused.
 * <p>
 * Threading: reads ({@link #user}, {@link #session}) are lock-free from any thread. Writes are queued to one writer
 * thread that appends a batch, fsyncs once (group commit), then publishes the records to memory and completes the
 * futures: a record is visible only once durable. Callers on an event loop never block.
 */
public final class AuthStore implements AutoCloseable
{
    public static final String FILE_NAME = "auth.log";
    public static final int FORMAT_VERSION = 3;
    /** The oldest format version still read. */
    public static final int OLDEST_FORMAT_VERSION = 1;
    static final String MAGIC = "OUTPOST-AUTH";

    private static final int MAX_BATCH = 256;
    private static final Write POISON = new Write(List.of(), () -> {}, 1);

    private final Path file;
    private final FileChannel channel;
    private final Map<String, UserRecord> users = new ConcurrentHashMap<>();
    private final Map<String, RefreshSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, String> identities = new ConcurrentHashMap<>();
    private final Map<String, UserPassRecord> userPass = new ConcurrentHashMap<>();
    private final Map<String, UserPassRecord> userPassByUser = new ConcurrentHashMap<>();
    private final Map<String, ApiKey> apiKeys = new ConcurrentHashMap<>();
    private final Map<String, String> apiKeyByHash = new ConcurrentHashMap<>();
    private final Map<String, Long> apiKeyOrder = new ConcurrentHashMap<>();
    private final Map<String, JsonObject> userData = new ConcurrentHashMap<>();
    private final java.util.Set<String> disabledUsers = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong apiKeySeq = new java.util.concurrent.atomic.AtomicLong();
    private int headerVersion = FORMAT_VERSION;
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
        final JsonObject u = userJson(user);
        final JsonObject s = sessionJson(session);
        return submit(new Write(List.of(u, s), () ->
        {
            putUser(user);
            sessions.put(session.id(), session);
        }, 1));
    }

    /**
     * Durably add a refresh session of an existing user (a login of a known account).
     *
     * @param session the session.
     * @return completes once it is on disk and visible.
     */
    public CompletableFuture<Void> addSession(final RefreshSession session)
    {
        return submit(new Write(List.of(sessionJson(session)), () -> sessions.put(session.id(), session), 1));
    }

    /**
     * Durably add a new user without a session (a registration).
     *
     * @param user        the user.
     * @param credentials its email/password credentials, or null.
     * @return completes once both are on disk and visible.
     */
    public CompletableFuture<Void> addUser(final UserRecord user, final UserPassRecord credentials)
    {
        final List<JsonObject> records = new ArrayList<>(2);
        records.add(userJson(user));
        if (null != credentials)
        {
            records.add(new JsonObject().put("t", "userpass").put("user", credentials.userId())
                .put("email", credentials.email()).put("salt", credentials.password().salt())
                .put("hash", credentials.password().hash()).put("iter", credentials.password().iterations()));
        }
        return submit(new Write(records, () ->
        {
            putUser(user);
            if (null != credentials)
            {
                putUserPass(credentials);
            }
        }, null != credentials ? 2 : 1));
    }

    /**
     * @param email an address, in any case.
     * @return the credentials registered for it, or null.
     */
    public UserPassRecord userPass(final String email)
    {
        return userPass.get(emailKey(email));
    }

    /**
     * @param provider an App Services provider name.
     * @param identity the identity id with that provider (for {@code custom-token}, the JWT's {@code sub}).
     * @return the user holding that identity, or null.
     */
    public UserRecord userByIdentity(final String provider, final String identity)
    {
        final String userId = identities.get(identityKey(provider, identity));
        return null == userId ? null : users.get(userId);
    }

    /**
     * Durably add a user API key.
     *
     * @param key the key (its hash only).
     * @return completes once it is on disk and visible.
     */
    public CompletableFuture<Void> addApiKey(final ApiKey key)
    {
        final JsonObject r = new JsonObject().put("t", "apikey").put("id", key.id()).put("user", key.userId())
            .put("name", key.name()).put("hash", key.hash()).put("created", key.createdAt());
        return submit(new Write(List.of(r), () -> putApiKey(key), 2));
    }

    /**
     * Durably enable or disable a user API key.
     *
     * @param id       key id.
     * @param disabled new state.
     * @return completes once it is on disk and visible.
     */
    public CompletableFuture<Void> setApiKeyDisabled(final String id, final boolean disabled)
    {
        final JsonObject r = new JsonObject().put("t", "apikey-state").put("id", id).put("disabled", disabled);
        return submit(new Write(List.of(r), () -> apiKeys.computeIfPresent(id, (k, v) -> v.disabled(disabled)), 2));
    }

    /**
     * Durably delete a user API key.
     *
     * @param id key id.
     * @return completes once it is on disk and gone from memory.
     */
    public CompletableFuture<Void> deleteApiKey(final String id)
    {
        final JsonObject r = new JsonObject().put("t", "apikey-delete").put("id", id);
        return submit(new Write(List.of(r), () -> removeApiKey(id), 2));
    }

    /**
     * @param id key id.
     * @return the key or null.
     */
    public ApiKey apiKey(final String id)
    {
        return apiKeys.get(id);
    }

    /**
     * @param hash hex SHA-256 of a key.
     * @return the key with that hash, or null.
     */
    public ApiKey apiKeyByHash(final String hash)
    {
        final String id = apiKeyByHash.get(hash);
        return null == id ? null : apiKeys.get(id);
    }

    /**
     * @param userId a user.
     * @return that user's API keys, in creation order.
     */
    public List<ApiKey> apiKeys(final String userId)
    {
        final List<ApiKey> list = new ArrayList<>();
        for (final ApiKey key : apiKeys.values())
        {
            if (key.userId().equals(userId))
            {
                list.add(key);
            }
        }
        list.sort(java.util.Comparator.comparingLong(k -> apiKeyOrder.getOrDefault(k.id(), Long.MAX_VALUE)));
        return list;
    }

    /**
     * Durably replace a user's profile data.
     *
     * @param userId the user.
     * @param data   its new data (copied).
     * @return completes once it is on disk and visible.
     */
    public CompletableFuture<Void> setUserData(final String userId, final JsonObject data)
    {
        final JsonObject copy = data.copy();
        final JsonObject r = new JsonObject().put("t", "data").put("user", userId).put("data", copy);
        return submit(new Write(List.of(r), () -> userData.put(userId, copy), 2));
    }

    /**
     * @param userId a user.
     * @return a copy of its profile data, or null if none was stored.
     */
    public JsonObject userData(final String userId)
    {
        final JsonObject data = userData.get(userId);
        return null == data ? null : data.copy();
    }

    /**
     * @return the format version of the file's header (1 until a version-2 record was written to a version-1 log).
     */
    public synchronized int headerVersion()
    {
        return headerVersion;
    }

    private void putUser(final UserRecord user)
    {
        users.put(user.id(), user);
        identities.put(identityKey(user.provider(), user.identityId()), user.id());
    }

    private void putUserPass(final UserPassRecord credentials)
    {
        userPass.put(emailKey(credentials.email()), credentials);
        userPassByUser.put(credentials.userId(), credentials);
    }

    /**
     * @param userId a user.
     * @return its email/password credentials, or null if it is not a local-userpass user.
     */
    public UserPassRecord userPassOf(final String userId)
    {
        return userPassByUser.get(userId);
    }

    private void putApiKey(final ApiKey key)
    {
        apiKeyOrder.put(key.id(), apiKeySeq.incrementAndGet());
        apiKeys.put(key.id(), key);
        apiKeyByHash.put(key.hash(), key.id());
    }

    private void removeApiKey(final String id)
    {
        final ApiKey removed = apiKeys.remove(id);
        apiKeyOrder.remove(id);
        if (null != removed)
        {
            apiKeyByHash.remove(removed.hash(), id);
        }
    }

    private static String identityKey(final String provider, final String identity)
    {
        return provider + '\u0000' + identity;
    }

    static String emailKey(final String email)
    {
        return email.trim().toLowerCase(java.util.Locale.ROOT);
    }

    private static JsonObject userJson(final UserRecord user)
    {
        return new JsonObject().put("t", "user").put("id", user.id()).put("app", user.appId())
            .put("provider", user.provider()).put("identity", user.identityId()).put("created", user.createdAt());
    }

    /**
     * @param userId a user.
     * @return whether it is disabled (by the admin API).
     */
    public boolean userDisabled(final String userId)
    {
        return disabledUsers.contains(userId);
    }

    /**
     * @return every user, in no particular order (a snapshot of the live map's values).
     */
    public List<UserRecord> users()
    {
        return new ArrayList<>(users.values());
    }

    /**
     * @param userId a user.
     * @return its refresh sessions (revoked ones included).
     */
    public List<RefreshSession> sessionsOf(final String userId)
    {
        final List<RefreshSession> list = new ArrayList<>();
        for (final RefreshSession s : sessions.values())
        {
            if (s.userId().equals(userId))
            {
                list.add(s);
            }
        }
        return list;
    }

    /**
     * Durably disable or enable a user: a disabled user cannot log in and its tokens are refused.
     *
     * @param userId   the user.
     * @param disabled new state.
     * @return completes once the change is on disk and visible.
     */
    public CompletableFuture<Void> setUserDisabled(final String userId, final boolean disabled)
    {
        final JsonObject r = new JsonObject().put("t", "user-state").put("id", userId).put("disabled", disabled);
        return submit(new Write(List.of(r), () -> setDisabled(userId, disabled), 3));
    }

    /**
     * Durably delete a user with its sessions, credentials, API keys and profile data; its identity may sign up
     * again as a new user.
     *
     * @param userId the user.
     * @return completes once the deletion is on disk and visible.
     */
    public CompletableFuture<Void> deleteUser(final String userId)
    {
        final JsonObject r = new JsonObject().put("t", "user-delete").put("id", userId);
        return submit(new Write(List.of(r), () -> removeUser(userId), 3));
    }

    /**
     * Durably replace the password of a local-userpass user.
     *
     * @param userId   the user (one with credentials).
     * @param password the new hash.
     * @return completes once the change is on disk and visible.
     */
    public CompletableFuture<Void> setPassword(final String userId, final PasswordHasher.Hash password)
    {
        final JsonObject r = new JsonObject().put("t", "password").put("user", userId).put("salt", password.salt())
            .put("hash", password.hash()).put("iter", password.iterations());
        return submit(new Write(List.of(r), () -> replacePassword(userId, password), 3));
    }

    private void setDisabled(final String userId, final boolean disabled)
    {
        if (null == userId)
        {
            return;
        }
        if (disabled)
        {
            disabledUsers.add(userId);
        }
        else
        {
            disabledUsers.remove(userId);
        }
    }

    private void replacePassword(final String userId, final PasswordHasher.Hash password)
    {
        final UserPassRecord old = null == userId ? null : userPassByUser.get(userId);
        if (null != old)
        {
            putUserPass(new UserPassRecord(userId, old.email(), password));
        }
    }

    private void removeUser(final String userId)
    {
        final UserRecord user = null == userId ? null : users.remove(userId);
        if (null == user)
        {
            return;
        }
        identities.remove(identityKey(user.provider(), user.identityId()), userId);
        final UserPassRecord credentials = userPassByUser.remove(userId);
        if (null != credentials)
        {
            userPass.remove(emailKey(credentials.email()), credentials);
        }
        sessions.replaceAll((id, s) -> s.userId().equals(userId) && !s.revoked() ? s.revoke() : s);
        for (final ApiKey key : apiKeys(userId))
        {
            removeApiKey(key.id());
        }
        userData.remove(userId);
        disabledUsers.remove(userId);
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
        return submit(new Write(List.of(r), () -> sessions.computeIfPresent(sessionId, (k, s) -> s.revoke()), 1));
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
        if (null == write.lines)
        {
            // Callers check their input (AuthInput); this is the last line of defence: nothing is stored, rather
            // than a '?' that replays as another string.
            return CompletableFuture.failedFuture(new IllegalArgumentException("auth record holds a string that " +
                "is not well-formed Unicode (unpaired UTF-16 surrogate); nothing was stored"));
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
                int needs = 1;
                int length = 0;
                for (final Write w : batch)
                {
                    needs = Math.max(needs, w.version);
                    length += w.lines.length;
                }
                if (needs > 1)
                {
                    upgradeHeader(needs);
                }
                final ByteBuffer bytes = ByteBuffer.allocate(length);
                for (final Write w : batch)
                {
                    bytes.put(w.lines);
                }
                bytes.flip();
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

    /** Writer thread: raise the log's version (in place, same length) before its first record of a later one. */
    private void upgradeHeader(final int version) throws IOException
    {
        synchronized (this)
        {
            if (headerVersion >= version)
            {
                return;
            }
        }
        final ByteBuffer header = ByteBuffer.wrap((MAGIC + " " + version + "\n")
            .getBytes(StandardCharsets.US_ASCII));
        channel.write(header, 0);
        channel.force(true);
        synchronized (this)
        {
            headerVersion = version;
        }
    }

    private void replay() throws IOException
    {
        final long size = channel.size();
        if (size == 0)
        {
            // The oldest version that can read it; raised when the first record needing more is written.
            final ByteBuffer header = ByteBuffer.wrap(
                (MAGIC + " " + OLDEST_FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
            channel.write(header, 0);
            channel.force(true);
            synchronized (this)
            {
                headerVersion = OLDEST_FORMAT_VERSION;
            }
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
        final Map<String, Integer> nameLines = new java.util.HashMap<>();
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
            applyRecord(record, lineNo, nameLines);
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
        for (int v = OLDEST_FORMAT_VERSION; v <= FORMAT_VERSION; v++)
        {
            if (String.valueOf(v).equals(version))
            {
                synchronized (this)
                {
                    headerVersion = v;
                }
                return;
            }
        }
        throw new IOException(file + " has auth log format version '" + version + "'; this server reads " +
            "versions " + OLDEST_FORMAT_VERSION + " to " + FORMAT_VERSION + " only");
    }

    private void applyRecord(final JsonObject r, final int lineNo, final Map<String, Integer> nameLines)
        throws IOException
    {
        final String type = r.getString("t", "");
        switch (type)
        {
            case "user":
                final UserRecord user = new UserRecord(r.getString("id"), r.getString("app"),
                    r.getString("provider"), r.getString("identity"), r.getLong("created", 0L));
                if (null == user.id() || null == user.provider() || null == user.identityId())
                {
                    throw new IOException(file + ": user record without id, provider or identity at line " + lineNo);
                }
                final String identity = identityKey(user.provider(), user.identityId());
                checkOneUser(identities.get(identity), user.id(), user.provider() + " identity",
                    user.identityId(), nameLines.get(identity), lineNo);
                nameLines.putIfAbsent(identity, lineNo);
                putUser(user);
                break;
            case "userpass":
                final UserPassRecord credentials = new UserPassRecord(r.getString("user"), r.getString("email"),
                    new PasswordHasher.Hash(r.getString("salt"), r.getString("hash"), r.getInteger("iter", 0)));
                if (null == credentials.userId() || null == credentials.email())
                {
                    throw new IOException(file + ": userpass record without user or email at line " + lineNo);
                }
                final String email = emailKey(credentials.email());
                final UserPassRecord earlier = userPass.get(email);
                checkOneUser(null == earlier ? null : earlier.userId(), credentials.userId(), "email",
                    credentials.email(), nameLines.get("email\u0000" + email), lineNo);
                nameLines.putIfAbsent("email\u0000" + email, lineNo);
                putUserPass(credentials);
                break;
            case "apikey":
                putApiKey(new ApiKey(r.getString("id"), r.getString("user"), r.getString("name"),
                    r.getString("hash"), r.getLong("created", 0L), false));
                break;
            case "apikey-state":
                final boolean disabled = r.getBoolean("disabled", false);
                apiKeys.computeIfPresent(r.getString("id"), (k, v) -> v.disabled(disabled));
                break;
            case "apikey-delete":
                removeApiKey(r.getString("id"));
                break;
            case "data":
                final JsonObject data = r.getJsonObject("data");
                if (null != data)
                {
                    userData.put(r.getString("user"), data);
                }
                break;
            case "session":
                sessions.put(r.getString("id"), new RefreshSession(r.getString("id"), r.getString("user"),
                    r.getString("device"), r.getLong("created", 0L), false));
                break;
            case "revoke":
                sessions.computeIfPresent(r.getString("id"), (k, s) -> s.revoke());
                break;
            case "user-state":
                setDisabled(r.getString("id"), r.getBoolean("disabled", false));
                break;
            case "user-delete":
                removeUser(r.getString("id"));
                break;
            case "password":
                replacePassword(r.getString("user"), new PasswordHasher.Hash(r.getString("salt"),
                    r.getString("hash"), r.getInteger("iter", 0)));
                break;
            default:
                throw new IOException(file + ": unknown record type '" + type + "' at line " + lineNo);
        }
    }

    /**
     * Replay: refuse a log in which a name (an email, a provider identity) belongs to two users; serving it would
     * log one user in as the other. Names are compared as lookups compare them (emails case-insensitively).
     */
    private void checkOneUser(final String holder, final String userId, final String kind, final String name,
        final Integer holderLine, final int lineNo) throws IOException
    {
        if (null != holder && !holder.equals(userId))
        {
            throw new IOException(file + ": two users under one name: " + kind + " " +
                io.vertx.core.json.Json.encode(name) + " belongs to user " + holder + " (line " + holderLine +
                ") and to user " + userId + " (line " + lineNo + "); refusing to start with a corrupt auth log. " +
                "Stop the server, back the file up and delete the line of the account that must not have this " +
                "name (see 'Repairing the auth log' in edge-server/OPERATING.md)");
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
            return new JsonObject(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, start + 9, end - start - 9)).toString());
        }
        catch (final DecodeException | CharacterCodingException ex)
        {
            return null;
        }
    }

    /**
     * @param records records of one write.
     * @return their lines (CRC, JSON, newline) as UTF-8, or null if a string in them has no UTF-8 form.
     */
    private static byte[] encodeLines(final List<JsonObject> records)
    {
        final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        for (final JsonObject record : records)
        {
            final ByteBuffer encoded;
            try
            {
                encoded = utf8.encode(CharBuffer.wrap(record.encode()));
            }
            catch (final CharacterCodingException ex)
            {
                return null;
            }
            final byte[] json = new byte[encoded.remaining()];
            encoded.get(json);
            final CRC32 crc = new CRC32();
            crc.update(json);
            final String hex = Long.toHexString(crc.getValue());
            out.writeBytes(("0".repeat(8 - hex.length()) + hex + ' ').getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(json);
            out.write('\n');
        }
        return out.toByteArray();
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
        /** The records' lines, encoded on the caller's thread; null if one does not encode (never queued). */
        final byte[] lines;
        final Runnable apply;
        /** The log format version its records need. */
        final int version;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Write(final List<JsonObject> records, final Runnable apply, final int version)
        {
            this.lines = encodeLines(records);
            this.apply = apply;
            this.version = version;
        }
    }
}
