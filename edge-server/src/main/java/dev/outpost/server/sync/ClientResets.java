package dev.outpost.server.sync;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client resets forced by the admin API, per server file: every client file allocated before the request, or
 * listed ones. A marked client file gets the client-reset error ({@code 222 client_file_expired}) at its next IDENT;
 * after the reset the client has a new client file ident and syncs normally.
 * <p>
 * Kept in {@value #FILE_NAME} in the app's sync directory (replaced atomically at each request) so that a client
 * offline at the time is still reset after a restart:
 * <pre>
 * {"files":{"pbs/app/p":{"below":7,"idents":[3,5]}}}    reset idents &lt; 7 and 3, 5
 * </pre>
 * Thread-safe: {@link #required} is a map read (once per IDENT); marks are rare and serialised.
 */
final class ClientResets
{
    static final String FILE_NAME = "client-resets.json";

    private final Path file;
    private final Map<String, Mark> marks = new ConcurrentHashMap<>();

    /** Idents below {@code below}, and {@code idents}, must reset. */
    private record Mark(long below, Set<Long> idents)
    {
        boolean covers(final long ident)
        {
            return ident < below || idents.contains(ident);
        }
    }

    private ClientResets(final Path file)
    {
        this.file = file;
    }

    /**
     * @param syncDir the app's sync directory.
     * @return the marks stored there (none if the file does not exist).
     * @throws UncheckedIOException if the file exists but cannot be read.
     */
    static ClientResets open(final Path syncDir)
    {
        final ClientResets resets = new ClientResets(syncDir.resolve(FILE_NAME));
        if (!Files.exists(resets.file))
        {
            return resets;
        }
        try
        {
            final JsonObject files = new JsonObject(Files.readString(resets.file, StandardCharsets.UTF_8))
                .getJsonObject("files", new JsonObject());
            for (final String name : files.fieldNames())
            {
                final JsonObject m = files.getJsonObject(name);
                final Set<Long> idents = ConcurrentHashMap.newKeySet();
                m.getJsonArray("idents", new JsonArray()).forEach(i -> idents.add(((Number)i).longValue()));
                resets.marks.put(name, new Mark(m.getLong("below", 0L), Set.copyOf(idents)));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(resets.file + " cannot be read", ex);
        }
        catch (final DecodeException | ClassCastException ex)
        {
            throw new UncheckedIOException(new IOException(resets.file + " is damaged (" + ex.getMessage() +
                "); move it away to start (the forced client resets it listed are then forgotten)"));
        }
        return resets;
    }

    /** @return whether client file {@code ident} of {@code fileName} must reset. Any thread. */
    boolean required(final String fileName, final long ident)
    {
        final Mark mark = marks.get(fileName);
        return null != mark && ident > 0 && mark.covers(ident);
    }

    /**
     * Durably mark client files of {@code fileName} for reset.
     *
     * @param fileName the server file.
     * @param ident    a client file ident, or 0 for every client file below {@code below}.
     * @param below    for ident 0: the server file's next client file ident now.
     * @throws IOException if the marks cannot be written (nothing changes then).
     */
    synchronized void mark(final String fileName, final long ident, final long below) throws IOException
    {
        final Mark old = marks.getOrDefault(fileName, new Mark(0, Set.of()));
        final Set<Long> idents = new java.util.HashSet<>(old.idents());
        if (0 != ident)
        {
            idents.add(ident);
        }
        final Mark next = new Mark(0 == ident ? Math.max(old.below(), below) : old.below(), Set.copyOf(idents));
        final JsonObject files = new JsonObject();
        marks.forEach((name, m) -> files.put(name, json(name.equals(fileName) ? next : m)));
        files.put(fileName, json(next));
        write(files);
        marks.put(fileName, next);
    }

    /**
     * Durably forget the marks of {@code fileName} (the server file was deleted: a new one of the same name has
     * other client files, which the old marks must not reset).
     *
     * @throws IOException if the marks cannot be written (nothing changes then).
     */
    synchronized void forget(final String fileName) throws IOException
    {
        if (!marks.containsKey(fileName))
        {
            return;
        }
        final JsonObject files = new JsonObject();
        marks.forEach((name, m) ->
        {
            if (!name.equals(fileName))
            {
                files.put(name, json(m));
            }
        });
        write(files);
        marks.remove(fileName);
    }

    private void write(final JsonObject files) throws IOException
    {
        final Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        Files.writeString(tmp, new JsonObject().put("files", files).encode(), StandardCharsets.UTF_8);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
            java.nio.file.StandardOpenOption.WRITE))
        {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static JsonObject json(final Mark m)
    {
        return new JsonObject().put("below", m.below()).put("idents", new JsonArray(m.idents().stream()
            .sorted().map(Object.class::cast).toList()));
    }
}
