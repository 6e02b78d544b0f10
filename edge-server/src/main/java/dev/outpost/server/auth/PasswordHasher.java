package dev.outpost.server.auth;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Salted slow password hashes: PBKDF2-HMAC-SHA256 (JDK), 16-byte random salt, 256-bit result, compared in constant
 * time. Slow on purpose (hundreds of milliseconds at the default iterations): call it from a worker thread, never an
 * event loop. Thread-safe.
 */
public final class PasswordHasher
{
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHasher()
    {
    }

    /**
     * @param password   the password.
     * @param iterations PBKDF2 iterations.
     * @return a new salted hash.
     */
    public static Hash hash(final String password, final int iterations)
    {
        final byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new Hash(Base64.getEncoder().encodeToString(salt),
            Base64.getEncoder().encodeToString(derive(password, salt, iterations)), iterations);
    }

    /**
     * @param password a candidate.
     * @param stored   the stored hash.
     * @return whether the password matches (constant time in the hash bytes).
     */
    public static boolean matches(final String password, final Hash stored)
    {
        final byte[] expected = Base64.getDecoder().decode(stored.hash());
        final byte[] actual = derive(password, Base64.getDecoder().decode(stored.salt()), stored.iterations());
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] derive(final String password, final byte[] salt, final int iterations)
    {
        final PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
        try
        {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ALGORITHM + " is part of every Java 17 runtime", ex);
        }
        finally
        {
            spec.clearPassword();
        }
    }

    /**
     * A stored password hash.
     *
     * @param salt       base64 salt.
     * @param hash       base64 PBKDF2 output.
     * @param iterations PBKDF2 iterations it was made with (kept, so a changed setting applies to new hashes only).
     */
    public record Hash(String salt, String hash, int iterations)
    {
        @Override
        public String toString()
        {
            return "Hash[pbkdf2-sha256, " + iterations + " iterations]";
        }
    }
}
