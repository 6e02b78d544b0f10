package dev.outpost.server.auth;

/**
 * What a string from a peer must be before the auth layer stores or compares it.
 * <p>
 * Every auth string must be well-formed Unicode: a Java string can hold an unpaired UTF-16 surrogate (JSON's
 * {@code "\ud800"} escape decodes to one), which has no UTF-8 form; written to the auth log it would become
 * {@code ?} and, after a restart, collide with another account. Names (emails, usernames, API key names, the
 * custom-token {@code sub}) must in addition hold no control character (U+0000-U+001F, U+007F-U+009F: NUL, tab,
 * line breaks, escapes), which no address or identifier needs and which make names that look alike or break logs.
 * Passwords and profile values may hold control characters: they are hashed or stored as given.
 */
public final class AuthInput
{
    private AuthInput()
    {
    }

    /**
     * @param text a string, not null.
     * @return true if every surrogate in it is half of a pair (it has an exact UTF-8 form).
     */
    public static boolean isWellFormed(final CharSequence text)
    {
        final int length = text.length();
        for (int i = 0; i < length; i++)
        {
            final char c = text.charAt(i);
            if (Character.isHighSurrogate(c))
            {
                if (i + 1 == length || !Character.isLowSurrogate(text.charAt(i + 1)))
                {
                    return false;
                }
                i++;
            }
            else if (Character.isLowSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param text a string, not null.
     * @return true if it is well-formed and holds no control character (C0, DEL or C1).
     */
    public static boolean isName(final CharSequence text)
    {
        final int length = text.length();
        for (int i = 0; i < length; i++)
        {
            if (Character.isISOControl(text.charAt(i)))
            {
                return false;
            }
        }
        return isWellFormed(text);
    }

    /**
     * @param what the input, for the message ({@code email}, {@code name}, ...).
     * @return 400 {@code BadRequest} saying what a name may not hold.
     */
    static AuthException badName(final String what)
    {
        return new AuthException(400, "BadRequest", what + " must be well-formed Unicode without control " +
            "characters (no unpaired UTF-16 surrogate, no U+0000-U+001F or U+007F-U+009F)");
    }

    /**
     * @param what the input, for the message.
     * @return 400 {@code BadRequest} saying the input is not well-formed Unicode.
     */
    static AuthException notWellFormed(final String what)
    {
        return new AuthException(400, "BadRequest", what + " must be well-formed Unicode (it holds an unpaired " +
            "UTF-16 surrogate)");
    }
}
