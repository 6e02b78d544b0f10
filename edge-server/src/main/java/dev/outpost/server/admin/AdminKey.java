package dev.outpost.server.admin;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The key that protects the admin API: {@code admin.key}, else the first line of {@code admin.key-file}, else the
 * key in {@value #FILE_NAME} in the data directory, made at the first start (32 random bytes, base64url, owner-only
 * permissions). The key itself is never logged; {@link #source()} says where it is.
 */
public final class AdminKey
{
    /** The generated key's file, in the data directory. */
    public static final String FILE_NAME = "admin.key";

    private final byte[] key;
    private final String source;

    private AdminKey(final String key, final String source)
    {
        this.key = key.getBytes(StandardCharsets.US_ASCII);
        this.source = source;
    }

    /**
     * @param key a key given directly (tests, embedders).
     * @return it.
     */
    public static AdminKey of(final String key)
    {
        if (!ServerConfig.validAdminKey(key))
        {
            throw new ConfigException(ServerConfig.ADMIN_KEY_PROP, "must be at least " +
                ServerConfig.ADMIN_KEY_MIN_LENGTH + " printable ASCII characters without spaces");
        }
        return new AdminKey(key, "given by the application");
    }

    /**
     * Find (or make) the admin key of a concluded configuration.
     *
     * @param config a concluded configuration.
     * @return the key.
     * @throws IOException if the key file cannot be read or the generated key cannot be written.
     * @throws ConfigException if the key file does not hold an acceptable key.
     */
    public static AdminKey resolve(final ServerConfig config) throws IOException
    {
        if (null != config.adminKey())
        {
            return new AdminKey(config.adminKey(), "setting " + ServerConfig.ADMIN_KEY_PROP);
        }
        if (null != config.adminKeyFile())
        {
            final String key = firstLine(config.adminKeyFile());
            if (!ServerConfig.validAdminKey(key))
            {
                throw new ConfigException(ServerConfig.ADMIN_KEY_FILE_PROP, config.adminKeyFile() + " must hold " +
                    "a key of at least " + ServerConfig.ADMIN_KEY_MIN_LENGTH + " printable ASCII characters " +
                    "without spaces on its first line");
            }
            return new AdminKey(key, "file " + config.adminKeyFile());
        }
        final Path file = config.dataDir().resolve(FILE_NAME);
        if (Files.exists(file))
        {
            final String key = firstLine(file);
            if (!ServerConfig.validAdminKey(key))
            {
                throw new ConfigException(ServerConfig.ADMIN_KEY_FILE_PROP, file + " does not hold an acceptable " +
                    "admin key; delete it to have a new one made");
            }
            return new AdminKey(key, "file " + file);
        }
        final byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        final String key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        final Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        Files.deleteIfExists(tmp);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
        {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        else
        {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, key + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new AdminKey(key, "file " + file + " (generated)");
    }

    /**
     * @param candidate a key presented by a client.
     * @return whether it is the admin key (compared in constant time).
     */
    public boolean matches(final String candidate)
    {
        return null != candidate &&
            MessageDigest.isEqual(key, candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** @return where the key comes from ({@code file /data/admin.key}), never the key. */
    public String source()
    {
        return source;
    }

    public String toString()
    {
        return "AdminKey{" + source + "}";
    }

    private static String firstLine(final Path file) throws IOException
    {
        final String text = Files.readString(file, StandardCharsets.UTF_8);
        final int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).trim();
    }
}
