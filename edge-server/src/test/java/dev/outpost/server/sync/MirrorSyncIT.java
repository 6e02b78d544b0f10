package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.mirror.EveryType;
import dev.outpost.server.mirror.PgMirror;
import dev.outpost.server.mirror.PostgresServer;
import dev.outpost.server.sync.SyncTestClient.Msg;
import dev.outpost.server.sync.SyncTestClient.Up;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A raw protocol client uploads a changeset with a property of every Realm type to a server started with a
 * PostgreSQL mirror (ServerConfig mirrorPostgres/mirrorSchema, the runtime wiring): the acknowledged changeset
 * becomes a row of the PBS partition with the mapped column types, and the status figures show no lag.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MirrorSyncIT
{
    private static final String APP = "mirror-sync";

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private PostgresServer pg;

    @AfterEach
    void close()
    {
        fixture.close();
        if (null != pg)
        {
            pg.close();
        }
    }

    @Test
    void shouldMirrorARawClientsUploadOfEveryType() throws Exception
    {
        pg = PostgresServer.start();
        fixture.start(dir, c -> c.mirrorPostgres(pg.url()).mirrorSchema("raw"));
        final SyncTestClient a = fixture.connect(false);
        a.bind(1, "\"p1\"", true);
        final Msg ident = a.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        a.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        a.upload(1, 2, 0, 0, false, new Up(2, 0, EveryType.changeset()));
        final PgMirror mirror = fixture.server().http().apps().mirror(APP);
        final String file = SyncService.pbsFileName(APP, "\"p1\"");
        while (mirror.mirroredVersion(file) < 1)
        {
            Thread.sleep(10);
        }
        try (Connection c = pg.connect(); Statement st = c.createStatement())
        {
            final Map<String, String> types = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT column_name, data_type FROM information_schema.columns " +
                "WHERE table_schema = 'raw' AND table_name = 'Item'"))
            {
                while (rs.next())
                {
                    types.put(rs.getString(1), rs.getString(2));
                }
            }
            assertThat(types).containsAllEntriesOf(EveryType.COLUMN_TYPES).containsEntry("_partition", "text");
            try (ResultSet rs = st.executeQuery("SELECT _partition, _id, i, s, dec, u::text, \"any\"::text, " +
                "nested::text FROM raw.\"Item\""))
            {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("p1");
                assertThat(rs.getString(2)).isEqualTo("0102030405060708090a0b0c");
                assertThat(rs.getLong(3)).isEqualTo(-42);
                assertThat(rs.getString(4)).isEqualTo("héllo");
                assertThat(rs.getBigDecimal(5)).isEqualByComparingTo("-123.45");
                assertThat(rs.getString(6)).isEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e");
                assertThat(rs.getString(7)).isEqualTo("{\"$oid\": \"0102030405060708090a0b0c\"}");
                assertThat(rs.getString(8)).isEqualTo("[{\"x\": false}]");
                assertThat(rs.next()).isFalse();
            }
        }
        assertThat(mirror.statusJson().getLong("lag_versions")).isZero();
    }
}
