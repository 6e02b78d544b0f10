package dev.outpost.ot.rules;

/**
 * Why a rule cannot be honoured: a typed refusal naming the key (a dotted path inside the rules document, e.g.
 * {@code roles[0].document_filters.read.owner_id}) and what is wrong with it. Thrown while rules are compiled (at
 * start), never while a compiled filter evaluates. Immutable; carries no stack trace (it is about input, not code).
 */
public final class RuleRefusal extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Longest key or value echoed in a message. */
    static final int CLIP = 120;

    /** Category of the refusal. */
    public enum Kind
    {
        /** Not JSON, or not the shape a rule has (a filter that is not an object, a list where a value goes...). */
        SYNTAX,
        /** An operator or expansion Outpost does not evaluate ($regex, $elemMatch, %%request...). */
        UNSUPPORTED,
        /** Valid for App Services but not for Device Sync (see the sync-compatibility rules). */
        NOT_SYNC_COMPATIBLE,
        /** A field that is not queryable (or not a column of the class). */
        NOT_QUERYABLE
    }

    private final Kind kind;
    private final String key;
    private final String detail;

    /**
     * @param kind   the category.
     * @param key    the dotted key inside the rules document ("" for the whole document).
     * @param detail what is wrong.
     */
    public RuleRefusal(final Kind kind, final String key, final String detail)
    {
        super(key.isEmpty() ? detail : "key " + key + ": " + detail, null, false, false);
        this.kind = kind;
        this.key = key;
        this.detail = detail;
    }

    public Kind kind()
    {
        return kind;
    }

    /** @return the dotted key the refusal is about ("" for the whole document). */
    public String key()
    {
        return key;
    }

    /** @return what is wrong, without the key. */
    public String detail()
    {
        return detail;
    }

    /**
     * @param prefix a key naming where the refused document sits (e.g. {@code roles[0].document_filters.read}).
     * @return the same refusal with its key under {@code prefix}.
     */
    public RuleRefusal under(final String prefix)
    {
        if (prefix.isEmpty())
        {
            return this;
        }
        return new RuleRefusal(kind, key.isEmpty() ? prefix : prefix + "." + key, detail);
    }

    /** @return {@code s} cut for a message, control characters replaced. */
    static String clip(final String s)
    {
        final int n = Math.min(s.length(), CLIP);
        final StringBuilder sb = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++)
        {
            final char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (s.length() > CLIP)
        {
            sb.append("...");
        }
        return sb.toString();
    }
}
