package dev.outpost.server.auth;

import java.security.SecureRandom;

/**
 * 24-hex identifiers shaped like MongoDB ObjectIds: 4 bytes of epoch seconds then 8 random bytes. Thread-safe.
 */
public final class Ids
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Ids()
    {
    }

    /**
     * @param epochSeconds current time.
     * @return a new 24-character lower-case hex id.
     */
    public static String newId(final long epochSeconds)
    {
        final byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        bytes[0] = (byte)(epochSeconds >>> 24);
        bytes[1] = (byte)(epochSeconds >>> 16);
        bytes[2] = (byte)(epochSeconds >>> 8);
        bytes[3] = (byte)epochSeconds;
        return hex(bytes);
    }

    /**
     * @param id text to check.
     * @return true if it is exactly 24 lower-case hex characters.
     */
    public static boolean isId(final String id)
    {
        if (null == id || id.length() != 24)
        {
            return false;
        }
        for (int i = 0; i < 24; i++)
        {
            final char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            {
                return false;
            }
        }
        return true;
    }

    static String hex(final byte[] bytes)
    {
        final char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++)
        {
            out[2 * i] = HEX[(bytes[i] >>> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
