package dev.outpost.server.mirror;

import dev.outpost.server.config.MirrorSettings;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The PostgreSQL side of the inbound path (SQL writes to the mirror's tables -> clients): a row trigger on every
 * mirrored table appends each INSERT, UPDATE and DELETE to the outbox table {@value #OUTBOX_TABLE} of the schema (in
 * the writer's own transaction, so a change is captured exactly when it commits, whether Outpost runs or not) and
 * wakes {@link PgInbound} with {@code NOTIFY} on {@value #CHANNEL}. The mirror's own connections set
 * {@code outpost.origin = 'mirror'} for their session: the trigger ignores their writes, so nothing the mirror
 * writes comes back. Installed by {@link PgMirror} where it creates the schema and the tables; with the inbound path
 * off the triggers are dropped (the outbox stays). Stateless.
 * <pre>
 *   app backend: UPDATE outpost."Item" SET name = 'x' ...
 *        └─ trigger _outpost_capture ─▶ INSERT INTO outpost._outpost_inbound (class, op, at, old_row, new_row)
 *                                     └─ NOTIFY outpost_inbound
 *   PgInbound: SELECT .. FROM _outpost_inbound ORDER BY id ─▶ server changeset (writer) ─▶ DELETE the outbox rows
 * </pre>
 */
final class PgInboundCapture
{
    /** The outbox: one row per captured change, consumed in id order. */
    static final String OUTBOX_TABLE = "_outpost_inbound";
    /** What the inbound path could not turn into a changeset. */
    static final String ERROR_TABLE = "_outpost_inbound_errors";
    /** The trigger function and the triggers' name. */
    static final String TRIGGER = "_outpost_capture";
    /** The NOTIFY channel; the payload is the schema. */
    static final String CHANNEL = "outpost_inbound";
    /** The session setting marking the mirror's own writes. */
    static final String ORIGIN_SETTING = "outpost.origin";
    /**
     * The triggers' condition: a row the mirror writes queues no trigger event and calls no function (PostgreSQL
     * evaluates an AFTER row trigger's WHEN as the row is written), which costs COPY and the array upserts about as
     * much as the rows themselves; the function checks the same again.
     */
    static final String NOT_MIRROR = "WHEN (current_setting('" + ORIGIN_SETTING + "', true) IS DISTINCT FROM 'mirror')";

    private static final System.Logger LOG = System.getLogger("dev.outpost.server.mirror");

    private PgInboundCapture()
    {
    }

    /**
     * On a new mirror connection (autocommit): mark the session's writes as the mirror's; with the inbound path on,
     * create the outbox, the error table and the trigger function.
     */
    static void prepare(final Statement st, final MirrorSettings settings) throws SQLException
    {
        st.execute("SET " + ORIGIN_SETTING + " = 'mirror'");
        if (!settings.inbound())
        {
            return;
        }
        try
        {
            create(st, settings);
        }
        catch (final SQLException ex)
        {
            // the outbound mirror works without it: say why SQL writes will not reach the clients
            LOG.log(System.Logger.Level.WARNING, "mirror schema " + settings.schema() + ": the inbound capture " +
                "cannot be installed, SQL writes will not reach the clients: " + ex.getSQLState() + " " +
                String.valueOf(ex.getMessage()).replace('\n', ' '));
        }
    }

    private static void create(final Statement st, final MirrorSettings settings) throws SQLException
    {
        final String schema = PgMapping.quote(settings.schema());
        st.execute("CREATE TABLE IF NOT EXISTS " + schema + "." + PgMapping.quote(OUTBOX_TABLE) +
            " (id bigserial PRIMARY KEY, class text NOT NULL, op \"char\" NOT NULL, " +
            "at timestamptz NOT NULL DEFAULT clock_timestamp(), old_row jsonb, new_row jsonb)");
        st.execute("CREATE TABLE IF NOT EXISTS " + schema + "." + PgMapping.quote(ERROR_TABLE) +
            " (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), class text, object_key text, " +
            "op text, reason text NOT NULL, row jsonb, changed_at timestamptz)");
        st.execute("CREATE OR REPLACE FUNCTION " + schema + "." + PgMapping.quote(TRIGGER) + "() RETURNS trigger " +
            "LANGUAGE plpgsql AS $outpost$ BEGIN " +
            "IF current_setting('" + ORIGIN_SETTING + "', true) = 'mirror' THEN RETURN NULL; END IF; " +
            "INSERT INTO " + schema + "." + PgMapping.quote(OUTBOX_TABLE) + " (class, op, old_row, new_row) VALUES " +
            "(TG_TABLE_NAME, substr(TG_OP, 1, 1), " +
            "CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END, CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END); " +
            "PERFORM pg_notify('" + CHANNEL + "', TG_TABLE_SCHEMA); " +
            "RETURN NULL; END $outpost$");
    }

    /**
     * @param table a table of the mirror's schema.
     * @return whether it is one of Outpost's own (position, errors, outbox), never captured.
     */
    static boolean isOwn(final String table)
    {
        return table.startsWith("_outpost_");
    }

    /**
     * @return the statements that (re)attach the capture trigger to one mirrored table.
     */
    static String attachSql(final MirrorSettings settings, final String table)
    {
        final String schema = PgMapping.quote(settings.schema());
        final String qualified = schema + "." + PgMapping.quote(table);
        return "DROP TRIGGER IF EXISTS " + PgMapping.quote(TRIGGER) + " ON " + qualified + "; CREATE TRIGGER " +
            PgMapping.quote(TRIGGER) + " AFTER INSERT OR UPDATE OR DELETE ON " + qualified + " FOR EACH ROW " +
            NOT_MIRROR + " EXECUTE FUNCTION " + schema + "." + PgMapping.quote(TRIGGER) + "()";
    }

    /**
     * On a new mirror connection (autocommit): with the inbound path on, attach the trigger to each of
     * {@code tables} that lacks it or has it without its condition ({@link #NOT_MIRROR}: attached by an older
     * version, replaced); with it off, drop the triggers.
     */
    static void attachAll(final Connection c, final MirrorSettings settings, final Collection<String> tables)
        throws SQLException
    {
        final Set<String> have = new HashSet<>();
        final Set<String> current = new HashSet<>(); // with the condition
        try (PreparedStatement st = c.prepareStatement("SELECT cl.relname, t.tgqual IS NOT NULL FROM pg_trigger t " +
            "JOIN pg_class cl ON cl.oid = t.tgrelid JOIN pg_namespace n ON n.oid = cl.relnamespace " +
            "WHERE n.nspname = ? AND t.tgname = ?"))
        {
            st.setString(1, settings.schema());
            st.setString(2, TRIGGER);
            try (ResultSet rs = st.executeQuery())
            {
                while (rs.next())
                {
                    have.add(rs.getString(1));
                    if (rs.getBoolean(2))
                    {
                        current.add(rs.getString(1));
                    }
                }
            }
        }
        try (Statement st = c.createStatement())
        {
            if (!settings.inbound())
            {
                for (final String table : have)
                {
                    try
                    {
                        st.execute("DROP TRIGGER IF EXISTS " + PgMapping.quote(TRIGGER) + " ON " +
                            PgMapping.quote(settings.schema()) + "." + PgMapping.quote(table));
                    }
                    catch (final SQLException ex)
                    {
                        LOG.log(System.Logger.Level.WARNING, "mirror schema " + settings.schema() + ": the " +
                            "inbound capture of table " + table + " cannot be dropped (its changes keep filling " +
                            "the outbox): " + ex.getSQLState() + " " + String.valueOf(ex.getMessage())
                            .replace('\n', ' '));
                    }
                }
                return;
            }
            for (final String table : tables)
            {
                if (!isOwn(table) && !current.contains(table))
                {
                    try
                    {
                        st.execute(attachSql(settings, table));
                    }
                    catch (final SQLException ex)
                    {
                        LOG.log(System.Logger.Level.WARNING, "mirror schema " + settings.schema() + ": no inbound " +
                            "capture on table " + table + ", its SQL writes will not reach the clients: " +
                            ex.getSQLState() + " " + String.valueOf(ex.getMessage()).replace('\n', ' '));
                    }
                }
            }
        }
    }
}
