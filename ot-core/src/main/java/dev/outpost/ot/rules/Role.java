package dev.outpost.ot.rules;

import java.util.Map;

/**
 * The role a session holds for one class, its expansions resolved (chosen once, at session start): document filters,
 * document-level permissions and field-level read/write permissions. Immutable and thread-safe.
 */
public final class Role
{
    /** Field-level permission (boolean literals only, as Device Sync requires). */
    public record FieldPermission(boolean read, boolean write)
    {
        /** Neither read nor write. */
        public static final FieldPermission NONE = new FieldPermission(false, false);
    }

    /** No role applied: nothing may be read or written. */
    public static final Role NO_ACCESS = new Role(null, DocumentFilter.NONE, DocumentFilter.NONE, false, false,
        DocumentFilter.NONE, DocumentFilter.NONE, false, Map.of(), FieldPermission.NONE);

    private final String name;
    private final DocumentFilter readFilter;
    private final DocumentFilter writeFilter;
    private final boolean read;
    private final boolean write;
    private final DocumentFilter insert;
    private final DocumentFilter delete;
    private final boolean search;
    private final Map<String, FieldPermission> fields;
    private final FieldPermission additionalFields;
    private final DocumentFilter view;

    Role(final String name, final DocumentFilter readFilter, final DocumentFilter writeFilter, final boolean read,
        final boolean write, final DocumentFilter insert, final DocumentFilter delete, final boolean search,
        final Map<String, FieldPermission> fields, final FieldPermission additionalFields)
    {
        this.name = name;
        this.readFilter = readFilter;
        this.writeFilter = writeFilter;
        this.read = read;
        this.write = write;
        this.insert = insert;
        this.delete = delete;
        this.search = search;
        this.fields = Map.copyOf(fields);
        this.additionalFields = additionalFields;
        final boolean anyRead = canRead();
        final boolean anyWrite = canWrite();
        if (!anyRead)
        {
            view = DocumentFilter.NONE;
        }
        else if (!anyWrite || readFilter.matchesEverything() || writeFilter.matchesNothing() ||
            readFilter.equals(writeFilter))
        {
            view = readFilter;
        }
        else if (writeFilter.matchesEverything() || readFilter.matchesNothing())
        {
            view = writeFilter; // write implies read
        }
        else
        {
            view = new DocumentFilter(Node.junction(false, java.util.List.of(readFilter.root(),
                writeFilter.root())));
        }
    }

    /** @return the role's name, or null for {@link #NO_ACCESS}. */
    public String name()
    {
        return name;
    }

    /** @return {@code document_filters.read} as bound. */
    public DocumentFilter readFilter()
    {
        return readFilter;
    }

    /** @return {@code document_filters.write} as bound. */
    public DocumentFilter writeFilter()
    {
        return writeFilter;
    }

    /**
     * @return the objects the session may see: none without any read permission, else those matching the read
     * filter, or the write filter when the role may write (write implies read).
     */
    public DocumentFilter view()
    {
        return view;
    }

    /** @return top-level {@code read}. */
    public boolean read()
    {
        return read;
    }

    /** @return top-level {@code write}. */
    public boolean write()
    {
        return write;
    }

    /** @return true if the role can read any field (top-level read or write, or a field-level permission). */
    public boolean canRead()
    {
        if (read || write || additionalFields.read() || additionalFields.write())
        {
            return true;
        }
        for (final FieldPermission p : fields.values())
        {
            if (p.read() || p.write())
            {
                return true;
            }
        }
        return false;
    }

    /** @return true if the role can write any field. */
    public boolean canWrite()
    {
        if (write || additionalFields.write())
        {
            return true;
        }
        for (final FieldPermission p : fields.values())
        {
            if (p.write())
            {
                return true;
            }
        }
        return false;
    }

    /** @return which new objects may be inserted ({@code insert}: true, false or an expression). */
    public DocumentFilter insert()
    {
        return insert;
    }

    /** @return which objects may be deleted ({@code delete}). */
    public DocumentFilter delete()
    {
        return delete;
    }

    /** @return {@code search} (Atlas Search; nothing in Outpost uses it). */
    public boolean search()
    {
        return search;
    }

    /** @return whether {@code field} may be read (write implies read). */
    public boolean mayRead(final String field)
    {
        if (read || write)
        {
            return true;
        }
        final FieldPermission p = fields.getOrDefault(field, additionalFields);
        return p.read() || p.write();
    }

    /** @return whether {@code field} may be written. */
    public boolean mayWrite(final String field)
    {
        return write || fields.getOrDefault(field, additionalFields).write();
    }

    @Override
    public String toString()
    {
        return "Role[" + name + ", read=" + read + ", write=" + write + ", view=" + view + "]";
    }
}
