package dev.outpost.server.inspect;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import dev.outpost.server.cli.OutpostMain;
import dev.outpost.server.store.ClientFileRecord;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreShard;
import dev.outpost.server.sync.HostileChangesets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code outpost inspect} over a store written through the store API, while that store is still open for writing
 * (as when a server runs): list, entry, objects, JSON, errors, and that inspecting writes nothing.
 */
@Timeout(60)
class InspectCommandTest
{
    private static final String TASKS = "pbs/app/tasks";
    private static final String NOTES = "flx/app";
    private static final long LAST_SEEN = 1_700_000_000_000L; // 2023-11-14T22:13:20Z

    @TempDir
    Path dataDir;

    private HistoryStore store;
    private final ChangesetWriter writer = new ChangesetWriter();

    record Result(int exitCode, String out, String err)
    {
    }

    @BeforeEach
    void writeStore() throws Exception
    {
        store = HistoryStore.open(new StoreConfig().dataDir(dataDir.resolve("sync")).shardCount(2));
        final StoreShard shard = store.shardFor(TASKS);
        final ServerFile tasks = shard.createServerFile(TASKS);
        final ClientFileRecord client = shard.allocateClientFile(tasks, 0, LAST_SEEN - 5_000);
        append(shard, tasks, 1, 0, b ->
        {
            b.addTable("Task", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn("Task", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
            b.addTable("Tag", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, false);
        });
        append(shard, tasks, client.ident(), 3, b ->
        {
            b.createObject("Task", new Value.Int(1));
            b.update("Task", new Value.Int(1), "name", new Object[0], Instr.TYPE_STRING, new Value.Str("hello"),
                false, 0);
        });
        append(shard, tasks, client.ident(), 4, b ->
        {
            b.createObject("Task", new Value.Int(2));
            b.update("Task", new Value.Int(2), "name", new Object[0], Instr.TYPE_STRING, new Value.Str("world"),
                false, 0);
            b.createObject("Tag", new Value.Str("urgent"));
        });
        shard.publish();
        shard.updateClientState(tasks, client, 4, 2, 2, LAST_SEEN);
        final StoreShard notesShard = store.shardFor(NOTES);
        notesShard.createServerFile(NOTES);
    }

    @AfterEach
    void closeStore()
    {
        if (null != store)
        {
            store.close();
        }
    }

    private void append(final StoreShard shard, final ServerFile file, final long origin, final long clientVersion,
        final Consumer<ChangesetBuilder> body)
    {
        final ChangesetBuilder b = new ChangesetBuilder(new Changeset());
        body.accept(b);
        final byte[] bytes = writer.toBytes(b.changeset());
        assertThat(shard.append(file, origin, clientVersion, 1_000 * clientVersion, bytes.length,
            new UnsafeBuffer(bytes), 0, bytes.length)).isPositive();
    }

    private static Result inspect(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = OutpostMain.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        final String[] all = new String[args.length + 1];
        all[0] = "inspect";
        System.arraycopy(args, 0, all, 1, args.length);
        final int code = cli.execute(all);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void shouldListServerFilesWithHeadsSizesAndClientsWhileTheStoreIsOpenForWriting()
    {
        final Result r = inspect("--data-dir", dataDir.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        final long bytes = store.serverFile(TASKS).cumulativeSize(3);
        assertThat(bytes).isPositive();
        assertThat(r.out()).contains("store " + dataDir.resolve("sync"))
            .containsPattern("(?m)^pbs/app/tasks +\\d+ +3 +" + bytes + " +1$")
            .containsPattern("(?m)^flx/app +\\d+ +0 +0 +0$")
            .contains("client 2: upload cursor client_version=4 server_version=2, locked_server_version=2, " +
                "reciprocals=0, last_seen=2023-11-14T22:13:20Z");
        assertThat(r.out().indexOf("flx/app")).isLessThan(r.out().indexOf(TASKS)); // sorted by name
    }

    @Test
    void shouldListAsJson()
    {
        final Result r = inspect("--data-dir", dataDir.toString(), "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        final JsonArray files = new JsonObject(r.out()).getJsonArray("server_files");
        assertThat(files).hasSize(2);
        final JsonObject tasks = files.getJsonObject(1);
        assertThat(tasks.getString("name")).isEqualTo(TASKS);
        assertThat(tasks.getLong("head")).isEqualTo(3);
        assertThat(tasks.getLong("history_bytes")).isEqualTo(store.serverFile(TASKS).cumulativeSize(3));
        final JsonObject client = tasks.getJsonArray("clients").getJsonObject(0);
        assertThat(client.getLong("ident")).isEqualTo(2);
        assertThat(client.getLong("client_version")).isEqualTo(4);
        assertThat(client.getLong("server_version")).isEqualTo(2);
        assertThat(client.getLong("last_seen")).isEqualTo(LAST_SEEN);
    }

    @Test
    void shouldStreamTheListingWithTheTextOfTheWholeDocument() throws Exception
    {
        final StoreShard shard = store.shardFor("pbs/app/\"odd \\ \u00e9\"");
        shard.createServerFile("pbs/app/\"odd \\ \u00e9\"");
        shard.publish();
        try (StoreInspector inspector = StoreInspector.open(dataDir))
        {
            final var files = inspector.files();
            assertThat(files).hasSize(3);
            final StringWriter streamed = new StringWriter();
            final PrintWriter out = new PrintWriter(streamed);
            StoreInspector.writeFilesJson(inspector.storeDirectory(), files, out);
            out.flush();
            assertThat(streamed.toString())
                .isEqualTo(StoreInspector.filesJson(inspector.storeDirectory(), files).encodePrettily());
            final StringWriter empty = new StringWriter();
            final PrintWriter emptyOut = new PrintWriter(empty);
            StoreInspector.writeFilesJson(inspector.storeDirectory(), java.util.List.of(), emptyOut);
            emptyOut.flush();
            assertThat(empty.toString())
                .isEqualTo(StoreInspector.filesJson(inspector.storeDirectory(), java.util.List.of()).encodePrettily());
        }
        final Result r = inspect("--data-dir", dataDir.toString(), "--json");
        assertThat(new JsonObject(r.out()).getJsonArray("server_files")).hasSize(3);
    }

    @Test
    void shouldPrintAnEntryDecodedIntoInstructions()
    {
        final Result r = inspect("--data-dir", dataDir.toString(), "--file", TASKS, "--entry", "2");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("version:        2", "origin:         client file 2", "client version: 3",
            "CreateObject Task[1]", "Update Task[1].name = \"hello\"");
        assertThat(r.out()).doesNotContain("world");

        final Result schema = inspect("--data-dir", dataDir.toString(), "--file", TASKS, "--entry", "1", "--json");
        assertThat(schema.exitCode()).as(schema.err()).isZero();
        final JsonObject e = new JsonObject(schema.out());
        assertThat(e.getLong("origin_file_ident")).isEqualTo(1);
        assertThat(e.getJsonArray("instructions").getList()).hasSize(3)
            .allSatisfy(line -> assertThat((String)line).startsWith("Add"));
    }

    @Test
    void shouldPrintTheCurrentObjectsReplayedFromHistory()
    {
        final Result r = inspect("--data-dir", dataDir.toString(), "--file", TASKS, "--objects");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("# server file pbs/app/tasks at version 3\n")
            .contains("class Task top-level pk _id Int", "class Tag", "\"hello\"", "\"world\"", "\"urgent\"")
            .doesNotContain("# skipped");

        final Result onlyTask = inspect("--data-dir", dataDir.toString(), "--file", TASKS, "--objects",
            "--class", "Task");
        assertThat(onlyTask.out()).contains("class Task", "\"world\"").doesNotContain("class Tag", "urgent");
    }

    @Test
    void shouldReportEntriesStoredByOlderVersionsThatRealmsClientCannotHold()
    {
        final String poisoned = "pbs/app/poisoned";
        final StoreShard shard = store.shardFor(poisoned);
        final ServerFile file = shard.createServerFile(poisoned);
        for (final byte[] bytes : new byte[][] {HostileChangesets.invalidUtf8Name(), HostileChangesets.longColumn(64)})
        {
            assertThat(shard.append(file, 1, 0, 1_000, bytes.length, new UnsafeBuffer(bytes), 0, bytes.length))
                .isPositive();
        }
        shard.publish();

        final Result r = inspect("--data-dir", dataDir.toString(), "--file", poisoned, "--objects");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out())
            .contains("# realm's client cannot hold version 1: string value in Item.name is not valid UTF-8")
            .contains("# realm's client cannot hold version 2: column name of 64 bytes is longer than 63")
            .doesNotContain("# skipped");
        final Result json = inspect("--data-dir", dataDir.toString(), "--file", poisoned, "--objects", "--json");
        assertThat(new JsonObject(json.out()).getJsonArray("client_cannot_hold")).hasSize(2);
        assertThat(inspect("--data-dir", dataDir.toString(), "--file", TASKS, "--objects").out())
            .doesNotContain("cannot hold");
    }

    @Test
    void shouldPrintObjectsAsJson()
    {
        final Result r = inspect("--data-dir", dataDir.toString(), "--file", TASKS, "--objects", "--class",
            "Task", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        final JsonObject o = new JsonObject(r.out());
        assertThat(o.getLong("version")).isEqualTo(3);
        final JsonArray classes = o.getJsonArray("classes");
        assertThat(classes).hasSize(1);
        final JsonArray objects = classes.getJsonObject(0).getJsonArray("objects");
        assertThat(objects).hasSize(2);
        assertThat(objects.getJsonObject(0).getLong("_id")).isEqualTo(1);
        assertThat(objects.getJsonObject(0).getString("name")).isEqualTo("hello");
        assertThat(objects.getJsonObject(1).getString("name")).isEqualTo("world");
    }

    @Test
    void shouldSeeEntriesAppendedLaterOnTheNextRunAndWriteNothing() throws Exception
    {
        assertThat(inspect("--data-dir", dataDir.toString()).exitCode()).isZero();
        final StoreShard shard = store.shardFor(TASKS);
        final ServerFile tasks = store.serverFile(TASKS);
        append(shard, tasks, 1, 0, b -> b.createObject("Task", new Value.Int(3)));
        shard.publish();

        final Result r = inspect("--data-dir", dataDir.toString(), "--file", TASKS, "--objects", "--json");
        assertThat(new JsonObject(r.out()).getLong("version")).isEqualTo(4);

        store.close();
        store = null;
        try (HistoryStore reopened = HistoryStore.open(new StoreConfig().dataDir(dataDir.resolve("sync"))))
        {
            assertThat(reopened.serverFile(TASKS).head()).isEqualTo(4);
            assertThat(reopened.shard(0).skippedRecords() + reopened.shard(1).skippedRecords()).isZero();
        }
    }

    @Test
    void shouldTakeTheDataDirectoryAsAnArgumentAsWellAsWithDataDir()
    {
        final Result positional = inspect(dataDir.toString());
        final Result option = inspect("--data-dir", dataDir.toString());

        assertThat(positional.exitCode()).as(positional.err()).isZero();
        assertThat(positional.out()).isEqualTo(option.out()).contains("store " + dataDir.resolve("sync"));
        final Result entry = inspect(dataDir.toString(), "--file", TASKS, "--entry", "2");
        assertThat(entry.exitCode()).as(entry.err()).isZero();
        assertThat(entry.out()).isEqualTo(inspect("--data-dir", dataDir.toString(), "--file", TASKS, "--entry", "2")
            .out());
        assertThat(inspect(dataDir.toString(), "--data-dir", dataDir.toString()).exitCode()).as("the same twice")
            .isZero();

        final Result none = inspect();
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).startsWith("outpost: missing the data directory: outpost inspect DIR (or --data-dir " +
            "DIR)").contains("Try 'outpost inspect --help'.").doesNotContain("Usage:");
        final Result two = inspect(dataDir.toString(), "--data-dir", dataDir.resolve("sync").toString());
        assertThat(two.exitCode()).isEqualTo(2);
        assertThat(two.err()).contains("two data directories given");
    }

    @Test
    void shouldExplainWhatIsMissing() throws Exception
    {
        final Result noFile = inspect("--data-dir", dataDir.toString(), "--file", "pbs/app/nope", "--objects");
        assertThat(noFile.exitCode()).isEqualTo(1);
        assertThat(noFile.err()).contains("no server file 'pbs/app/nope'");

        final Result noVersion = inspect("--data-dir", dataDir.toString(), "--file", TASKS, "--entry", "9");
        assertThat(noVersion.exitCode()).isEqualTo(1);
        assertThat(noVersion.err()).contains("has versions 1..3, not 9");

        final Result noClass = inspect("--data-dir", dataDir.toString(), "--file", TASKS, "--objects", "--class",
            "Nope");
        assertThat(noClass.exitCode()).isEqualTo(1);
        assertThat(noClass.err()).contains("no class 'Nope'", "Tag, Task");

        final Path empty = Files.createDirectory(dataDir.resolve("empty"));
        final Result noStore = inspect("--data-dir", empty.toString());
        assertThat(noStore.exitCode()).isEqualTo(2);
        assertThat(noStore.err()).contains("not an Outpost store");
        try (var files = Files.list(empty))
        {
            assertThat(files).isEmpty(); // nothing created
        }

        final Result usage = inspect("--data-dir", dataDir.toString(), "--entry", "1");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.err()).contains("need --file");
    }

    @Test
    void shouldSuggestTheQuotedPartitionAndListTheServerFilesThatExist()
    {
        final String quoted = "pbs/app/\"p1\"";
        final StoreShard shard = store.shardFor(quoted);
        shard.createServerFile(quoted);
        shard.publish();

        final Result unquoted = inspect("--data-dir", dataDir.toString(), "--file", "pbs/app/p1", "--objects");
        assertThat(unquoted.exitCode()).isEqualTo(1);
        assertThat(unquoted.err()).contains("no server file 'pbs/app/p1'", "did you mean '" + quoted + "'");

        final Result unknown = inspect("--data-dir", dataDir.toString(), "--file", "pbs/app/zz", "--entry", "1");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("server files: " + NOTES + ", " + quoted + ", " + TASKS + ")");
    }

    @Test
    void shouldInspectEachAppOfADataDirectoryWithSeveralApps() throws Exception
    {
        final Path root = dataDir.resolve("several");
        for (final String app : new String[] {"a", "b"})
        {
            try (HistoryStore s = HistoryStore.open(new StoreConfig().dataDir(root.resolve("apps/" + app + "/sync"))))
            {
                final String name = "pbs/" + app + "/items";
                final StoreShard shard = s.shardFor(name);
                final ServerFile f = shard.createServerFile(name);
                final ChangesetBuilder b = new ChangesetBuilder(new Changeset());
                b.addTable("Item" + app, Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
                final byte[] bytes = writer.toBytes(b.changeset());
                shard.append(f, 1, 0, 0, bytes.length, new UnsafeBuffer(bytes), 0, bytes.length);
                shard.publish();
            }
        }

        final Result list = inspect("--data-dir", root.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains("app a: store", "pbs/a/items", "app b: store", "pbs/b/items");
        final JsonObject json = new JsonObject(inspect("--data-dir", root.toString(), "--json").out());
        assertThat(json.getJsonObject("apps").fieldNames()).containsExactlyInAnyOrder("a", "b");

        final Result entry = inspect("--data-dir", root.toString(), "--file", "pbs/b/items", "--entry", "1");
        assertThat(entry.exitCode()).as(entry.err()).isZero();
        assertThat(entry.out()).contains("AddTable Itemb");
        final Result onlyA = inspect("--data-dir", root.toString(), "--app", "a");
        assertThat(onlyA.out()).contains("pbs/a/items").doesNotContain("pbs/b/items");

        final Result noApp = inspect("--data-dir", root.toString(), "--app", "c");
        assertThat(noApp.exitCode()).isEqualTo(2);
        assertThat(noApp.err()).contains("no app 'c'", "apps: a, b");
        final Result otherApp = inspect("--data-dir", root.toString(), "--file", "pbs/z/items", "--objects");
        assertThat(otherApp.exitCode()).isEqualTo(2);
        assertThat(otherApp.err()).contains("several apps (a, b)", "add --app APP");
        final Result missing = inspect("--data-dir", dataDir.resolve("missing").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("is not a directory");
    }
}
