package dev.outpost.server.transfer;

import dev.outpost.server.auth.AuthStore;
import dev.outpost.server.cli.OutpostMain;
import dev.outpost.server.inspect.StoreInspector;
import dev.outpost.server.sync.SyncService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code outpost import} and {@code outpost export} run as the executable runs them, against real stores: every
 * Extended JSON type, the round trip, re-import, resume, bad lines, PBS partitions, the lock of a running server.
 */
@Timeout(120)
class ImportExportTest
{
    private static final String APP = "app-1";

    @TempDir
    Path dir;

    record Run(int exit, String out, String err)
    {
    }

    static Run outpost(final String... args)
    {
        final CommandLine cli = OutpostMain.commandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        final int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** {@code n} documents using every Extended JSON type realm holds, canonical or relaxed. */
    static List<String> documents(final int n, final boolean relaxed)
    {
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            final String oid = String.format(Locale.ROOT, "%024x", 0x5f00_0000L + i);
            final String uuid = String.format(Locale.ROOT, "%08x-0000-4000-8000-%012x", i, i * 7L);
            final StringBuilder d = new StringBuilder("{\"_id\":{\"$oid\":\"").append(oid).append("\"}");
            d.append(",\"name\":\"item ").append(i).append(" \\u00e9\\\"q\\\"\"");
            d.append(",\"count\":").append(relaxed ? String.valueOf(i) : "{\"$numberInt\":\"" + i + "\"}");
            d.append(",\"big\":{\"$numberLong\":\"").append(9_000_000_000L + i).append("\"}");
            d.append(",\"ratio\":").append(relaxed ? (i + 0.25) + "" : "{\"$numberDouble\":\"" + (i + 0.25) + "\"}");
            d.append(",\"inf\":{\"$numberDouble\":\"").append(i % 3 == 0 ? "Infinity" : i % 3 == 1 ? "-Infinity" :
                "NaN").append("\"}");
            d.append(",\"price\":{\"$numberDecimal\":\"").append(i).append(".").append(i % 100).append("\"}");
            d.append(",\"when\":").append(relaxed ? "{\"$date\":\"2021-03-04T05:06:07.089Z\"}" :
                "{\"$date\":{\"$numberLong\":\"" + (1_600_000_000_000L + i) + "\"}}");
            d.append(",\"ref\":").append(i % 2 == 0 ? "{\"$uuid\":\"" + uuid + "\"}" :
                "{\"$binary\":{\"base64\":\"ASNFZ4mrze8BI0VniavN7w==\",\"subType\":\"04\"}}");
            d.append(",\"blob\":{\"$binary\":{\"base64\":\"AQID").append(i % 10).append("A==\",\"subType\":\"00\"}}");
            d.append(",\"done\":").append(i % 2 == 0);
            d.append(",\"tags\":[\"a").append(i).append("\",\"b\"]");
            d.append(",\"address\":{\"city\":\"c").append(i % 7).append("\",\"zip\":").append(i).append('}');
            d.append(",\"parts\":[{\"no\":1},{\"no\":").append(i).append("}]");
            d.append(",\"note\":null");
            d.append(",\"_partition\":\"p").append(i % 3).append("\"}");
            lines.add(d.toString());
        }
        return lines;
    }

    private Path file(final String name, final List<String> lines) throws Exception
    {
        final Path f = dir.resolve("in").resolve(name);
        Files.createDirectories(f.getParent());
        Files.write(f, lines);
        return f;
    }

    private static String dump(final Path dataDir, final String file) throws Exception
    {
        try (StoreInspector inspector = StoreInspector.open(dataDir))
        {
            final StoreInspector.ObjectsInfo o = inspector.objects(file);
            assertThat(o.problems()).isEmpty();
            return o.state().dump();
        }
    }

    private static long head(final Path dataDir, final String file) throws Exception
    {
        try (StoreInspector inspector = StoreInspector.open(dataDir))
        {
            return inspector.files().stream().filter(f -> f.name().equals(file)).findFirst().orElseThrow().head();
        }
    }

    @Test
    void shouldImportEveryTypeAndRoundTripThroughExport() throws Exception
    {
        final Path items = file("Item.json", documents(3000, false));
        final Run imported = outpost("import", "--data-dir", dir.resolve("a").toString(), "--app-id", APP,
            "--batch", "700", items.toString());
        assertThat(imported.exit()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("3000 documents imported into class Item, 0 skipped, 5 changesets")
            .contains("price: Decimal128 (optional) [inferred]").contains("embedded class Item_address");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
            dir.resolve("a").resolve(AuthStore.FILE_NAME)))).as("the lock file becomes the auth log: owner-only")
            .isEqualTo("rw-------");
        final String flx = SyncService.flxFileName(APP);
        final String original = dump(dir.resolve("a"), flx);
        assertThat(original).contains("Item_parts").contains("item 2999");

        for (final boolean relaxed : new boolean[] {false, true})
        {
            final Path out = dir.resolve(relaxed ? "relaxed" : "canonical");
            final List<String> args = new ArrayList<>(List.of("export", "--data-dir", dir.resolve("a").toString(),
                "--app-id", APP, "--out", out.toString()));
            if (relaxed)
            {
                args.add("--relaxed");
            }
            final Run exported = outpost(args.toArray(String[]::new));
            assertThat(exported.exit()).as(exported.err()).isZero();
            assertThat(exported.out()).contains("Item.json: 3000 documents");
            final Path back = dir.resolve("back-" + relaxed);
            final Run reimported = outpost("import", "--data-dir", back.toString(), "--app-id", APP,
                out.resolve("Item.json").toString());
            assertThat(reimported.exit()).as(reimported.err()).isZero();
            assertThat(reimported.err()).isEmpty();
            assertThat(dump(back, flx)).as("export then import gives identical objects (relaxed %s)", relaxed)
                .isEqualTo(original);
        }
    }

    @Test
    void shouldDoNothingOnReimportAndGiveTheSameStateOnRestart() throws Exception
    {
        final Path items = file("Item.json", documents(500, true));
        final String data = dir.resolve("a").toString();
        assertThat(outpost("import", "--data-dir", data, "--app-id", APP, items.toString()).exit()).isZero();
        final String flx = SyncService.flxFileName(APP);
        final String before = dump(dir.resolve("a"), flx);
        final long head = head(dir.resolve("a"), flx);

        final Run again = outpost("import", "--data-dir", data, "--app-id", APP, items.toString());
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("already imported (500 documents");
        assertThat(head(dir.resolve("a"), flx)).as("nothing written").isEqualTo(head);

        final Run restart = outpost("import", "--data-dir", data, "--app-id", APP, "--restart", items.toString());
        assertThat(restart.exit()).as(restart.err()).isZero();
        assertThat(dump(dir.resolve("a"), flx)).as("upserts: the same objects, lists not doubled").isEqualTo(before);
    }

    @Test
    void shouldResumeAnInterruptedImport() throws Exception
    {
        final Path items = file("Item.json", documents(1000, false));
        final String data = dir.resolve("a").toString();
        final Run first = outpost("import", "--data-dir", data, "--app-id", APP, "--batch", "100", "--limit", "350",
            items.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("350 documents imported").contains("run again to continue");
        final Run second = outpost("import", "--data-dir", data, "--app-id", APP, "--batch", "100",
            items.toString());
        assertThat(second.out()).contains("resuming after line 350").contains("650 documents imported");

        assertThat(outpost("import", "--data-dir", dir.resolve("b").toString(), "--app-id", APP, items.toString())
            .exit()).isZero();
        final String flx = SyncService.flxFileName(APP);
        assertThat(dump(dir.resolve("a"), flx)).isEqualTo(dump(dir.resolve("b"), flx));
    }

    @Test
    void shouldReportAndSkipBadLines() throws Exception
    {
        final List<String> lines = new ArrayList<>(documents(20, false));
        lines.set(2, "{\"_id\":{\"$oid\":\"5f");
        lines.set(5, "{\"name\":\"no id\"}");
        lines.set(7, lines.get(7).replace("\"name\":\"item 7", "\"name\":{\"$regularExpression\":{\"pattern\":\"a\","
            + "\"options\":\"\"}},\"x\":\"item 7"));
        lines.set(9, lines.get(9).replace("\"count\":{\"$numberInt\":\"9\"}", "\"count\":\"nine\""));
        lines.set(11, lines.get(11).replace("\"tags\":[\"a11\",\"b\"]", "\"tags\":[\"a\",[1]]"));
        final Path items = file("Item.json", lines);
        final Run run = outpost("import", "--data-dir", dir.resolve("a").toString(), "--app-id", APP,
            items.toString());
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("15 documents imported into class Item, 5 skipped");
        assertThat(run.err()).contains("Item.json:3: skipped: not a JSON document")
            .contains("Item.json:6: skipped: no _id")
            .contains("Item.json:8: skipped: field 'name': Extended JSON type $regularExpression has no realm type")
            .contains("Item.json:10: skipped: field 'count' is String, the class has Int")
            .contains("Item.json:12: skipped: field 'tags': an array in an array")
            .doesNotContain("Exception").doesNotContain("\tat ");
        final String state = dump(dir.resolve("a"), SyncService.flxFileName(APP));
        assertThat(state).contains("item 19").doesNotContain("item 7 ").doesNotContain("nine");
    }

    @Test
    void shouldSplitPbsDocumentsIntoPartitions() throws Exception
    {
        final Path items = file("Task.json", documents(30, true));
        final Run run = outpost("import", "--data-dir", dir.resolve("a").toString(), "--app-id", APP,
            "--partition-key", "_partition", items.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        for (int p = 0; p < 3; p++)
        {
            final String state = dump(dir.resolve("a"), SyncService.pbsFileName(APP, "\"p" + p + "\""));
            assertThat(state).contains("item " + p + " ").doesNotContain("item " + ((p + 1) % 3) + " ");
        }
        final Run exported = outpost("export", "--data-dir", dir.resolve("a").toString(), "--app-id", APP,
            "--out", dir.resolve("out").toString());
        assertThat(exported.out()).contains("Task.json: 30 documents").contains("exported 3 server files");
        assertThat(Files.readString(dir.resolve("out").resolve("Task.json"))).contains("\"_partition\":\"p2\"");
    }

    @Test
    void shouldRefuseWhileAServerHoldsTheDataDirectory() throws Exception
    {
        final Path items = file("Item.json", documents(5, false));
        final Path data = dir.resolve("a");
        Files.createDirectories(data);
        try (AuthStore held = AuthStore.open(data)) // what a running server holds
        {
            final Run run = outpost("import", "--data-dir", data.toString(), "--app-id", APP, items.toString());
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.err()).contains("is in use: a running Outpost server (or another import) holds its lock")
                .contains("stop the server");
            assertThat(held).isNotNull();
        }
        assertThat(Files.exists(data.resolve("sync"))).as("nothing opened").isFalse();
    }
}
