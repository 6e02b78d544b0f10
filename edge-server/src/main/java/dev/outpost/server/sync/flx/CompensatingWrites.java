package dev.outpost.server.sync.flx;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.changeset.VarInt;
import dev.outpost.ot.model.AddTable;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;
import dev.outpost.ot.model.PathInstruction;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.model.Update;
import dev.outpost.ot.query.CompiledQuery;
import dev.outpost.ot.query.ObjectView;
import dev.outpost.ot.query.StateObjectView;
import dev.outpost.ot.rules.Role;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ColumnSpec;
import dev.outpost.ot.state.ModelValues;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Snapshot;
import dev.outpost.ot.state.Value;
import dev.outpost.ot.state.TableData;
import dev.outpost.ot.state.TableType;
import dev.outpost.server.store.RevertEntryMarker;
import dev.outpost.server.sync.wire.ErrorBodies;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * FLX compensating writes (protocol §4.9, §6; error 231). A client's changeset that creates, updates or erases
 * objects of a class outside its subscription is integrated <em>without</em> those instructions (nobody else ever
 * sees them), and the server appends a <b>revert entry</b> for that client only: a server-origin changeset with an
 * {@code EraseObject} for every rejected object (the client must not hold objects outside its view, and realm's
 * client relies on the server's changeset to undo the write). The session then sends {@code json_error 231}
 * (action {@code Warning}, {@code tryAgain} true, {@code rejectedUpdates}, {@code rejectedClientVersion},
 * {@code compensatingWriteServerVersion} = the revert entry's version) before the DOWNLOAD carrying that entry;
 * realm's client holds the error back until it integrated that version.
 * <p>
 * A revert entry is stored as origin {@link ServerIntegrator#SERVER_FILE_IDENT} with client version {@code -target}
 * ({@link #marker}); {@link #targetOf} recognises it. It is sent to the target's sessions only (unfiltered), skipped
 * by every other session, never applied to the server's object state (replay skips it) and empty to the merge.
 * Stateless; the writer-side methods run on the server file's writer.
 */
public final class CompensatingWrites
{
    private CompensatingWrites()
    {
    }

    /** One object whose write was rejected. */
    public record Rejected(String table, PrimaryKey key)
    {
    }

    /**
     * The rejected objects of one uploaded changeset (one 231 each).
     *
     * @param forbidden the objects among {@code objects} the session's role may not write (the rest are outside
     *                  its subscription or query view); they get Atlas's role reason.
     */
    public record Rejection(long clientVersion, List<Rejected> objects, Set<Rejected> forbidden)
    {
    }

    /**
     * @param originFileIdent a history entry's origin file ident.
     * @param clientVersion   its stored client version.
     * @return the client file ident a revert entry is meant for, or 0 for an ordinary entry.
     */
    public static long targetOf(final long originFileIdent, final long clientVersion)
    {
        return RevertEntryMarker.targetOf(originFileIdent, clientVersion);
    }

    /** @return the client version to store a revert entry for {@code clientFileIdent} with. */
    public static long marker(final long clientFileIdent)
    {
        return RevertEntryMarker.clientVersionFor(clientFileIdent);
    }

    /**
     * Writer: the part of {@code changeset} the session may write. Object instructions of classes outside
     * {@code classes} are dropped (and their objects added to {@code rejected}), except for asymmetric classes,
     * which are write-only and need no subscription. Schema instructions always stay.
     *
     * @return {@code changeset} itself if nothing was rejected, else a new changeset with the rest.
     */
    public static Changeset trim(final Changeset changeset, final Set<String> classes, final ObjectState state,
        final List<Rejected> rejected)
    {
        Set<String> asymmetric = null;
        boolean any = false;
        for (final Instruction i : changeset.instructions())
        {
            if (i instanceof AddTable t && t.tableType() == Instr.TABLE_TOP_LEVEL_ASYMMETRIC)
            {
                if (asymmetric == null)
                {
                    asymmetric = new HashSet<>();
                }
                asymmetric.add(t.table());
            }
            else if (i instanceof ObjectInstruction && !allowed(i.table(), classes, state, asymmetric))
            {
                any = true;
            }
        }
        if (!any)
        {
            return changeset;
        }
        final Set<String> writeOnly = asymmetric;
        return drop(changeset, o -> !allowed(o.table(), classes, state, writeOnly), rejected);
    }

    /**
     * @return a copy of {@code changeset} without the object instructions {@code reject} accepts, their objects added
     * to {@code rejected} once each.
     */
    private static Changeset drop(final Changeset changeset, final Predicate<ObjectInstruction> reject,
        final List<Rejected> rejected)
    {
        final Changeset kept = changeset.copyHeader();
        final Set<Rejected> seen = new HashSet<>(rejected);
        for (final Instruction i : changeset.instructions())
        {
            if (i instanceof ObjectInstruction o && reject.test(o))
            {
                final Rejected r = new Rejected(o.table(), o.object());
                if (seen.add(r))
                {
                    rejected.add(r);
                }
            }
            else
            {
                kept.add(i);
            }
        }
        return kept;
    }

    /**
     * Writer: {@link #trim(Changeset, Set, ObjectState, List)} by class, then, for the classes of {@code view} with a
     * narrow query, by object: an object the changeset creates or changes so that it does not match the session's
     * query afterwards is rejected too (Atlas: "object is outside of the current query view"). The after-state is
     * read from the touched objects and the changeset's writes to them (or, for changesets with instructions that
     * path does not model, projected on a scratch state holding the schema and the touched objects); cost: what the
     * changeset touches.
     */
    public static Changeset trim(final Changeset changeset, final FlxView view, final ObjectState state,
        final List<Rejected> rejected)
    {
        return trim(changeset, view, state, rejected, null);
    }

    /**
     * {@link #trim(Changeset, FlxView, ObjectState, List)}, also adding to {@code forbidden} (if not null) the
     * rejected objects the session's role may not write.
     */
    public static Changeset trim(final Changeset changeset, final FlxView view, final ObjectState state,
        final List<Rejected> rejected, final Set<Rejected> forbidden)
    {
        final Changeset byClass = trim(changeset, view.classes(), state, rejected);
        if (view.wholeClasses() && !view.checksWrites())
        {
            return byClass;
        }
        final Set<Rejected> outside = outsideView(byClass, view, state, forbidden);
        if (outside.isEmpty())
        {
            return byClass;
        }
        return drop(byClass, o -> outside.contains(new Rejected(o.table(), o.object())), rejected);
    }

    /**
     * @return the objects of narrow classes {@code changeset} leaves existing but outside {@code view}, and the
     *     objects of classes whose role restricts writes that it creates, changes or erases against the role: a
     *     create needs {@code insert} and the write filter on the new object, an update the write filter on the
     *     object before and after and write permission on every field it writes, an erase {@code delete} and the
     *     write filter on the object before. Decided on the touched objects directly ({@link #outsideViewDirect})
     *     when the changeset only creates, erases and sets scalar fields of existing classes, else on a scratch
     *     state ({@link #outsideViewScratch}); both decide the same.
     */
    private static Set<Rejected> outsideView(final Changeset changeset, final FlxView view, final ObjectState state,
        final Set<Rejected> forbidden)
    {
        final Set<Rejected> direct = outsideViewDirect(changeset, view, state, forbidden);
        return direct != null ? direct : outsideViewScratch(changeset, view, state, forbidden);
    }

    /**
     * {@link #outsideView} on the before-state of the touched objects and their after-state projected field by
     * field (no scratch state, no copy of an existing object): cost and allocation proportional to the instructions
     * on the touched objects.
     *
     * @return the objects outside the view, or null (nothing added to {@code forbidden}) if the changeset has an
     *     instruction this path does not model (schema, collections, embedded objects, links, AddInteger) or one
     *     the integration would refuse: {@link #outsideViewScratch} decides those.
     */
    static Set<Rejected> outsideViewDirect(final Changeset changeset, final FlxView view, final ObjectState state,
        final Set<Rejected> forbidden)
    {
        java.util.Map<Rejected, After> touched = null;
        After single = null;
        for (final Instruction i : changeset.instructions())
        {
            if (!(i instanceof ObjectInstruction o))
            {
                return null; // a schema instruction: the scratch state applies it
            }
            if (!view.isNarrow(o.table()) && view.writeRole(o.table()) == null)
            {
                continue;
            }
            After a;
            if (single != null && single.table.name().equals(o.table()) && single.object.equals(o.object()))
            {
                a = single;
            }
            else
            {
                if (touched == null)
                {
                    touched = new java.util.LinkedHashMap<>();
                    if (single != null)
                    {
                        touched.put(new Rejected(single.table.name(), single.object), single);
                    }
                }
                final Rejected r = new Rejected(o.table(), o.object());
                a = touched.get(r);
                if (a == null)
                {
                    a = After.of(state, o);
                    if (a == null)
                    {
                        return null;
                    }
                    touched.put(r, a);
                    if (single == null)
                    {
                        single = a;
                    }
                }
            }
            if (!a.apply(i))
            {
                return null;
            }
        }
        if (single == null)
        {
            return Set.of();
        }
        Set<Rejected> outside = null;
        List<Rejected> denied = null;
        final Collection<After> all = touched == null ? List.of(single) : touched.values();
        for (final After a : all)
        {
            final String table = a.table.name();
            final StateObjectView after = a.afterView();
            boolean out = false;
            boolean deny = false;
            if (after != null && !view.contains(table, after))
            {
                out = true;
                final CompiledQuery q = view.query(table);
                deny = q == null || q.matches(after); // in the query, outside the role's read filter
            }
            else
            {
                final Role role = view.writeRole(table);
                if (role != null)
                {
                    final StateObjectView before = a.before == null ? null : new StateObjectView().wrap(a.before);
                    out = !mayWrite(role, before, after, a.written, a.writtenCount);
                    deny = out;
                }
            }
            if (out)
            {
                final Rejected r = new Rejected(table, a.object);
                if (outside == null)
                {
                    outside = new HashSet<>();
                }
                outside.add(r);
                if (deny)
                {
                    if (denied == null)
                    {
                        denied = new ArrayList<>();
                    }
                    denied.add(r);
                }
            }
        }
        if (denied != null && forbidden != null)
        {
            forbidden.addAll(denied);
        }
        return outside == null ? Set.of() : outside;
    }

    /**
     * One touched top-level object of {@link #outsideViewDirect}: its state before the changeset and the writes of
     * the changeset so far (a new object's fields, or the fields set on the existing one).
     */
    private static final class After
    {
        private final TableData table;
        private final PrimaryKey object;
        private final Value key;
        private final ObjectData before;
        private boolean exists;
        private ObjectData created;
        private String[] names;
        private Value[] values;
        private int size;
        private String[] written;
        private int writtenCount;

        private After(final TableData table, final PrimaryKey object, final Value key, final ObjectData before)
        {
            this.table = table;
            this.object = object;
            this.key = key;
            this.before = before;
            this.exists = before != null;
        }

        /** @return the object {@code o} addresses, or null if it is not a well-formed top-level object. */
        static After of(final ObjectState state, final ObjectInstruction o)
        {
            final TableData t = state.table(o.table());
            final Value key = ModelValues.key(o.object());
            if (t == null || key == null || t.isEmbedded() || t.pkField() == null)
            {
                return null;
            }
            if (key instanceof Value.Null ? !t.pkNullable() : key.type() != t.pkType())
            {
                return null;
            }
            return new After(t, o.object(), key, t.object(key));
        }

        /** @return false if {@code i} is outside what this path models or the integration would refuse it. */
        boolean apply(final Instruction i)
        {
            if (i instanceof PathInstruction p)
            {
                written(p.field());
            }
            switch (i.type())
            {
                case Instr.CREATE_OBJECT ->
                {
                    if (!exists)
                    {
                        exists = true;
                        created = new ObjectData(table.name());
                        for (final ColumnSpec c : table.columns().values())
                        {
                            created.fields().put(c.name(), c.defaultValue());
                        }
                        created.fields().put(table.pkField(), key);
                        size = 0;
                    }
                    return true;
                }
                case Instr.ERASE_OBJECT ->
                {
                    exists = false;
                    created = null;
                    size = 0;
                    return true;
                }
                case Instr.UPDATE ->
                {
                    return exists && update((Update)i);
                }
                default ->
                {
                    return false;
                }
            }
        }

        private void written(final String field)
        {
            for (int k = 0; k < writtenCount; k++)
            {
                if (written[k].equals(field))
                {
                    return;
                }
            }
            if (written == null)
            {
                written = new String[4];
            }
            else if (writtenCount == written.length)
            {
                written = java.util.Arrays.copyOf(written, writtenCount * 2);
            }
            written[writtenCount++] = field;
        }

        private boolean update(final Update u)
        {
            final ColumnSpec col = table.column(u.field());
            if (!u.path().isEmpty() || col == null || col.collection() != Instr.COLLECTION_SINGLE ||
                col.name().equals(table.pkField()))
            {
                return false;
            }
            final int type = u.value().type();
            final Value v;
            if (type == Instr.TYPE_NULL)
            {
                if (!col.acceptsNull())
                {
                    return false;
                }
                v = Value.Null.INSTANCE;
            }
            else if (type >= Instr.TYPE_INT && type <= Instr.TYPE_UUID && type != Instr.TYPE_LINK &&
                (col.isMixed() || col.type() == type))
            {
                v = ModelValues.value(u.value());
                if (v == null || v.type() != type)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
            if (created != null)
            {
                created.fields().put(col.name(), v);
                return true;
            }
            for (int k = 0; k < size; k++)
            {
                if (names[k].equals(col.name()))
                {
                    values[k] = v;
                    return true;
                }
            }
            if (names == null)
            {
                names = new String[4];
                values = new Value[4];
            }
            else if (size == names.length)
            {
                names = java.util.Arrays.copyOf(names, size * 2);
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            names[size] = col.name();
            values[size++] = v;
            return true;
        }

        /** @return a view of the object after the changeset, or null if it does not exist then. */
        StateObjectView afterView()
        {
            if (!exists)
            {
                return null;
            }
            return created != null ? new StateObjectView().wrap(created) :
                new StateObjectView().wrap(before, names, values, size);
        }
    }

    /**
     * {@link #outsideView} on a scratch state holding the schema and the touched objects, the changeset's
     * instructions on them applied (any changeset).
     */
    static Set<Rejected> outsideViewScratch(final Changeset changeset, final FlxView view, final ObjectState state,
        final Set<Rejected> forbidden)
    {
        final Set<Rejected> touched = new LinkedHashSet<>();
        java.util.Map<Rejected, Set<String>> written = null;
        for (final Instruction i : changeset.instructions())
        {
            if (i instanceof ObjectInstruction o && (view.isNarrow(o.table()) || view.writeRole(o.table()) != null))
            {
                final Rejected r = new Rejected(o.table(), o.object());
                touched.add(r);
                if (i instanceof PathInstruction p && view.writeRole(o.table()) != null)
                {
                    if (written == null)
                    {
                        written = new java.util.HashMap<>();
                    }
                    written.computeIfAbsent(r, k -> new HashSet<>()).add(p.field());
                }
            }
        }
        if (touched.isEmpty())
        {
            return Set.of();
        }
        final ChangesetBuilder b = new ChangesetBuilder();
        Snapshot.emit(state, Set.of(), b); // the schema only
        for (final Rejected r : touched)
        {
            final Value key = ModelValues.key(r.key());
            if (key != null)
            {
                Snapshot.emitObject(state, r.table(), key, b);
            }
        }
        for (final Instruction i : changeset.instructions())
        {
            if (!(i instanceof ObjectInstruction o) || touched.contains(new Rejected(o.table(), o.object())))
            {
                b.changeset().add(i);
            }
        }
        final ObjectState scratch = new ObjectState();
        if (!new ChangesetApplier(scratch).apply(b.changeset()).ok())
        {
            return Set.of(); // the integration refuses the changeset itself (212)
        }
        final StateObjectView object = new StateObjectView();
        final Set<Rejected> outside = new HashSet<>();
        for (final Rejected r : touched)
        {
            final Value key = ModelValues.key(r.key());
            final ObjectData after = key == null ? null : scratch.object(r.table(), key);
            if (after != null && !view.contains(r.table(), object.wrap(after)))
            {
                outside.add(r);
                final CompiledQuery q = view.query(r.table());
                if (forbidden != null && (q == null || q.matches(object.wrap(after))))
                {
                    forbidden.add(r); // in the query, outside the role's read filter: the role forbids it
                }
                continue;
            }
            final Role role = view.writeRole(r.table());
            if (role != null && key != null)
            {
                final ObjectData before = state.object(r.table(), key);
                if (!mayWrite(role, before == null ? null : new StateObjectView().wrap(before),
                    after == null ? null : new StateObjectView().wrap(after),
                    written == null ? null : fieldsOf(written.get(r)), Integer.MAX_VALUE))
                {
                    outside.add(r);
                    if (forbidden != null)
                    {
                        forbidden.add(r);
                    }
                }
            }
        }
        return outside;
    }

    /**
     * @return whether {@code role} allows the write from {@code before} to {@code after} (null: no object) that
     *     writes the fields {@code fields[0..count)} (null: none).
     */
    private static boolean mayWrite(final Role role, final ObjectView before, final ObjectView after,
        final String[] fields, final int count)
    {
        if (before == null && after == null)
        {
            return true; // created and erased in one changeset: nothing of it remains
        }
        if (before == null)
        {
            return role.canWrite() && role.insert().matches(after) && role.writeFilter().matches(after);
        }
        if (!role.writeFilter().matches(before))
        {
            return false;
        }
        if (after == null)
        {
            return role.delete().matches(before);
        }
        if (!role.writeFilter().matches(after))
        {
            return false;
        }
        for (int k = 0; fields != null && k < Math.min(count, fields.length); k++)
        {
            if (!role.mayWrite(fields[k]))
            {
                return false;
            }
        }
        return true;
    }

    private static String[] fieldsOf(final Set<String> fields)
    {
        return fields == null ? null : fields.toArray(new String[0]);
    }

    /**
     * Writer, after the integration: the revert entry for a session with {@code view}: per rejected object, once,
     * EraseObject; then, if the server's object (its state now) is in the view, CreateObject and its full server
     * state (the client's update is undone field by field, fields null on the server included).
     */
    public static Changeset revert(final Collection<Rejected> rejected, final FlxView view, final ObjectState state)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        final Set<Rejected> seen = new HashSet<>();
        final StateObjectView object = new StateObjectView();
        for (final Rejected r : rejected)
        {
            if (!seen.add(r))
            {
                continue;
            }
            b.changeset().add(new EraseObject(r.table(), r.key()));
            final Value key = ModelValues.key(r.key());
            final ObjectData now = key == null ? null : state.object(r.table(), key);
            if (now != null && view.contains(r.table(), object.wrap(now)))
            {
                Snapshot.emitObject(state, r.table(), key, b);
            }
        }
        return b.changeset();
    }

    private static boolean allowed(final String table, final Set<String> classes, final ObjectState state,
        final Set<String> asymmetric)
    {
        if (classes.contains(table) || (asymmetric != null && asymmetric.contains(table)))
        {
            return true;
        }
        final TableData t = state.table(table);
        return t != null && t.type() == TableType.TOP_LEVEL_ASYMMETRIC;
    }

    /** @return the revert changeset: an EraseObject per rejected object, in order, each once. */
    public static Changeset revert(final Collection<Rejected> rejected)
    {
        final Changeset c = new Changeset();
        final Set<Rejected> seen = new HashSet<>();
        for (final Rejected r : rejected)
        {
            if (seen.add(r))
            {
                c.add(new EraseObject(r.table(), r.key()));
            }
        }
        return c;
    }

    /**
     * The {@code json_error 231} body realm's client parses ({@code ClientProtocol::parse_message_received}): the
     * required keys, {@code rejectedUpdates} ({@code reason}, {@code table}, base64 standalone {@code pk}),
     * {@code compensatingWriteServerVersion} and {@code rejectedClientVersion}. Objects whose key cannot be
     * expressed standalone (GlobalKey: realm's client treats it as unreachable) are left out of the list.
     */
    public static String errorBody(final List<Rejected> rejected, final long rejectedClientVersion,
        final long compensatingWriteServerVersion)
    {
        return errorBody(rejected, Set.of(), rejectedClientVersion, compensatingWriteServerVersion);
    }

    /**
     * {@link #errorBody(List, long, long)} with Atlas's role reason ({@code write to ObjectID("<hex>") in table
     * "Item" not allowed}) for the objects in {@code forbidden} and the query-view reason for the others.
     */
    public static String errorBody(final List<Rejected> rejected, final Set<Rejected> forbidden,
        final long rejectedClientVersion, final long compensatingWriteServerVersion)
    {
        final StringBuilder updates = new StringBuilder("[");
        final StringBuilder tables = new StringBuilder();
        final Set<String> named = new HashSet<>();
        for (final Rejected r : rejected)
        {
            if (named.add(r.table()))
            {
                tables.append(tables.length() == 0 ? "" : ", ").append('"').append(r.table()).append('"');
            }
            final String pk = base64Key(r.key());
            if (pk == null)
            {
                continue;
            }
            if (updates.length() > 1)
            {
                updates.append(',');
            }
            updates.append("{\"pk\":\"").append(pk).append("\",\"reason\":\"")
                .append(ErrorBodies.escape(forbidden.contains(r) ? forbiddenReason(r) : reason(r)))
                .append("\",\"table\":\"")
                .append(ErrorBodies.escape(r.table())).append("\"}");
        }
        updates.append(']');
        final String message = "write to " + tables + " not allowed: outside of the current subscription " +
            "(client version " + rejectedClientVersion + ", reverted in server version " +
            compensatingWriteServerVersion + ")";
        return "{\"action\":\"Warning\",\"compensatingWriteServerVersion\":" + compensatingWriteServerVersion +
            ",\"isRecoveryModeDisabled\":false,\"logURL\":\"\",\"message\":\"" + ErrorBodies.escape(message) +
            "\",\"rejectedClientVersion\":" + rejectedClientVersion + ",\"rejectedUpdates\":" + updates +
            ",\"shouldClientReset\":false,\"tryAgain\":true}";
    }

    /**
     * @return Atlas's reason for a write the role forbids: {@code write to ObjectID("<hex>") in table "T" not
     *     allowed}, the key as {@code 42}, {@code "text"}, {@code UUID("<8-4-4-4-12>")} or {@code null} for the
     *     other key types.
     */
    static String forbiddenReason(final Rejected r)
    {
        final PrimaryKey k = r.key();
        final String key = switch (k.type())
        {
            case Instr.TYPE_OBJECT_ID -> "ObjectID(\"" + hex(k.bytes(), 0, 12) + "\")";
            case Instr.TYPE_UUID -> "UUID(\"" + hex(k.bytes(), 0, 4) + '-' + hex(k.bytes(), 4, 6) + '-' +
                hex(k.bytes(), 6, 8) + '-' + hex(k.bytes(), 8, 10) + '-' + hex(k.bytes(), 10, 16) + "\")";
            case Instr.TYPE_INT -> Long.toString(k.intValue());
            case Instr.TYPE_STRING -> '"' + k.stringValue() + '"';
            case Instr.TYPE_NULL -> "null";
            default -> k.toString();
        };
        return "write to " + key + " in table \"" + r.table() + "\" not allowed";
    }

    private static String hex(final byte[] bytes, final int from, final int to)
    {
        final StringBuilder sb = new StringBuilder(2 * (to - from));
        for (int i = from; i < to; i++)
        {
            sb.append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append(Character.forDigit(bytes[i] & 0xf, 16));
        }
        return sb.toString();
    }

    private static String reason(final Rejected r)
    {
        return "write to " + r.key() + " in table \"" + r.table() +
            "\" not allowed; object is outside of the current query view";
    }

    /**
     * @return base64 of the standalone primary key encoding realm's {@code parse_base64_encoded_primary_key}
     *     reads (type tag, then the value, strings inline with their length), or null for a GlobalKey.
     */
    public static String base64Key(final PrimaryKey key)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(24);
        switch (key.type())
        {
            case Instr.TYPE_NULL -> varint(out, Instr.TYPE_NULL);
            case Instr.TYPE_INT ->
            {
                varint(out, Instr.TYPE_INT);
                varint(out, key.intValue());
            }
            case Instr.TYPE_STRING ->
            {
                final byte[] s = key.stringValue().getBytes(StandardCharsets.UTF_8);
                varint(out, Instr.TYPE_STRING);
                varint(out, s.length);
                out.writeBytes(s);
            }
            case Instr.TYPE_OBJECT_ID, Instr.TYPE_UUID ->
            {
                varint(out, key.type());
                out.writeBytes(key.bytes());
            }
            default ->
            {
                return null;
            }
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static void varint(final ByteArrayOutputStream out, final long value)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[VarInt.MAX_LENGTH_64]);
        out.write(b.byteArray(), 0, VarInt.write(b, 0, value));
    }

    /** @return the revert entry's objects as {@link Rejected} (to re-derive them from a stored entry). */
    public static List<Rejected> objectsOf(final Changeset revert)
    {
        final List<Rejected> out = new ArrayList<>(revert.size());
        for (final Instruction i : revert.instructions())
        {
            if (i instanceof EraseObject e)
            {
                out.add(new Rejected(e.table(), e.object()));
            }
        }
        return out;
    }
}
