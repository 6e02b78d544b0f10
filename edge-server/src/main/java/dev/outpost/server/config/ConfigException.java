package dev.outpost.server.config;

/**
 * A setting has a value the server cannot run with. The message names the setting (its property name) and says
 * what is wrong and what is accepted; it is meant to be shown to the operator as is.
 */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String setting;

    private final String detail;

    private final String origin;

    public ConfigException(final String setting, final String message)
    {
        super("invalid setting '" + setting + "': " + message);
        this.setting = setting;
        this.detail = message;
        this.origin = null;
    }

    /**
     * @param setting property name of the setting.
     * @param origin  where the value came from, e.g. {@code /etc/outpost.yaml, key tls.cert} or
     *                {@code environment variable OUTPOST_PORT}.
     * @param message what is wrong.
     */
    public ConfigException(final String setting, final String origin, final String message)
    {
        super("invalid setting '" + setting + "' (" + origin + "): " + message);
        this.setting = setting;
        this.detail = message;
        this.origin = origin;
    }

    /**
     * @param origin where the value came from; null for unknown.
     * @return this if it already names an origin (or {@code origin} is null), else the same error naming it.
     */
    public ConfigException withOrigin(final String origin)
    {
        return null != this.origin || null == origin ? this : new ConfigException(setting, origin, detail);
    }

    /**
     * @return where the bad value came from, or null if not known.
     */
    public String origin()
    {
        return origin;
    }

    /**
     * @return what is wrong, without the setting's name.
     */
    public String detail()
    {
        return detail;
    }

    /**
     * @return the property name of the offending setting, e.g. {@code outpost.port}.
     */
    public String setting()
    {
        return setting;
    }

    /**
     * Why an operation failed, in words for the operator: the file and what went wrong for file-system errors, the
     * message otherwise; never the exception's class name (which means nothing to an operator).
     *
     * @param failure what was thrown, e.g. by {@code Files.createDirectories}.
     * @return e.g. {@code permission denied: /srv/outpost}.
     */
    public static String reason(final Throwable failure)
    {
        for (Throwable t = failure; null != t; t = t.getCause() == t ? null : t.getCause())
        {
            if (t instanceof java.net.BindException || (null != t.getMessage() &&
                t.getMessage().contains("Address already in use")))
            {
                return "address already in use";
            }
        }
        if (failure instanceof java.nio.file.FileSystemException)
        {
            final java.nio.file.FileSystemException fs = (java.nio.file.FileSystemException)failure;
            final String what = failure instanceof java.nio.file.NoSuchFileException ? "no such file or directory" :
                failure instanceof java.nio.file.AccessDeniedException ? "permission denied" :
                failure instanceof java.nio.file.FileAlreadyExistsException ? "already exists" :
                failure instanceof java.nio.file.NotDirectoryException ? "not a directory" :
                null != fs.getReason() ? fs.getReason() : "cannot be used";
            return what + ": " + (null == fs.getFile() ? "" : fs.getFile()) +
                (null == fs.getOtherFile() ? "" : " -> " + fs.getOtherFile());
        }
        for (Throwable t = failure; null != t; t = t.getCause() == t ? null : t.getCause())
        {
            final String message = t.getMessage();
            if (null != message && !message.isBlank())
            {
                return message.lines().findFirst().orElse(message);
            }
        }
        return "unexpected failure";
    }

    /**
     * The known key a mistyped one most likely meant: the closest by edit distance (case-insensitive), if it is
     * close enough to be a typo, else a known key ending with the given one ({@code cert} for {@code tls.cert}).
     *
     * @param key   the key as written.
     * @param known the accepted keys.
     * @return the suggestion, or null if none is plausible.
     */
    public static String nearest(final String key, final java.util.Collection<String> known)
    {
        final String k = key.toLowerCase(java.util.Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : known)
        {
            final int d = distance(k, candidate.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }
        if (null != best && bestDistance <= Math.max(1, k.length() / 3))
        {
            return best;
        }
        for (final String candidate : known)
        {
            if (candidate.endsWith("." + k) || candidate.startsWith(k + "."))
            {
                return candidate;
            }
        }
        return null;
    }

    /** Levenshtein distance, with a transposition of neighbours counting one (optimal string alignment). */
    private static int distance(final String a, final String b)
    {
        final int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++)
        {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++)
        {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
