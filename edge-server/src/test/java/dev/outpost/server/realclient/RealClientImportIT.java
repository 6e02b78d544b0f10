package dev.outpost.server.realclient;

import dev.outpost.server.cli.OutpostMain;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code outpost import} of an App Services app's collection ({@code src/test/resources/appservices-export/ingest}:
 * FLX, development mode off, Item's schema.json) and MongoDB's own client (realm-core 14.12.0) reading it: while the
 * server runs the import is refused with the reason and an export works; with the server stopped the import goes
 * through the server's writer, and after a restart a client subscribed to all Items receives every one with its
 * values.
 */
@Timeout(300)
class RealClientImportIT
{
    private static final String APP = "ingest-abcde";
    private static final int COUNT = 3000;

    @TempDir
    Path dir;

    private SyncServer server;

    private Path export() throws Exception
    {
        return Path.of(getClass().getResource("/appservices-export/ingest").toURI());
    }

    private void start() throws Exception
    {
        server = SyncServer.start(new ServerConfig(null, Map.of("OUTPOST_APP_CONFIG", export().toString()))
            .host("127.0.0.1").port(0).dataDir(dir.resolve("server")).eventLoops(2).conclude());
    }

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
            server = null;
        }
    }

    private static String[] outpost(final String... args)
    {
        final CommandLine cli = OutpostMain.commandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        final int exit = cli.execute(args);
        return new String[] {String.valueOf(exit), out.toString(), err.toString()};
    }

    @Test
    void shouldImportItemsThatMongoDbsClientThenReceives() throws Exception
    {
        final List<String> lines = new ArrayList<>();
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < COUNT; i++)
        {
            final String oid = String.format(Locale.ROOT, "%024x", 0x6100_0000L + i);
            final boolean colored = i % 4 != 0;
            lines.add("{\"_id\":{\"$oid\":\"" + oid + "\"},\"name\":\"imported " + i + "\"," +
                (colored ? "\"color\":\"c" + i % 5 + "\"," : "") + "\"size\":{\"$numberLong\":\"" + i * 1000L +
                "\"},\"tags\":[\"t" + i + "\",\"x\"],\"when\":{\"$date\":{\"$numberLong\":\"" + (1_600_000_000_000L + i) +
                "\"}},\"price\":{\"$numberDecimal\":\"" + i + ".5\"},\"ref\":{\"$uuid\":\"00000000-0000-4000-8000-" +
                String.format(Locale.ROOT, "%012x", i) + "\"},\"address\":{\"city\":\"Oslo\"}}");
            expected.add(oid + " name=imported " + i + " color=" + (colored ? "c" + i % 5 : "null") + " size=" +
                i * 1000L + " tags=[t" + i + ",x]");
        }
        final Path items = dir.resolve("Item.json");
        Files.write(items, lines);

        start();
        final String[] refused = outpost("import", "--data-dir", dir.resolve("server").toString(), "--app-config",
            export().toString(), items.toString());
        assertThat(refused[0]).as(refused[2]).isEqualTo("2");
        assertThat(refused[2]).contains("is in use: a running Outpost server").contains("stop the server");
        final String[] whileRunning = outpost("export", "--data-dir", dir.resolve("server").toString(),
            "--app-config", export().toString(), "--out", dir.resolve("out").toString());
        assertThat(whileRunning[0]).as(whileRunning[2]).isEqualTo("0");
        server.close();
        server = null;

        final String[] imported = outpost("import", "--data-dir", dir.resolve("server").toString(), "--app-config",
            export().toString(), items.toString());
        assertThat(imported[0]).as(imported[2]).isEqualTo("0");
        assertThat(imported[1]).contains(COUNT + " documents imported into class Item, 0 skipped")
            .contains("name: String [schema.json]").contains("price: Decimal128 (optional) [inferred]");

        start();
        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve("client"),
            "flx-read", Map.of("expect", String.valueOf(COUNT)), Duration.ofSeconds(180));
        final JsonObject json = run.json();
        assertThat(json).as("result line; log tail:\n%s", run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("%s\n%s", json, run.logTail()).isZero();
        assertThat(json.getLong("r_items")).isEqualTo(COUNT);
        assertThat(json.getInteger("sync_errors")).as("the imported schema agrees with the client's").isZero();
        expected.sort(null);
        assertThat(json.getJsonArray("r_names").getList()).as("every Item with its values").isEqualTo(expected);
    }
}
