package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code outpost inspect} in another JVM (another process, as an operator would run it) on the data directory of
 * a running server that keeps accepting uploads between and after the inspections.
 */
@Timeout(120)
class InspectLiveIT
{
    private static final String APP = "live";
    private static final String FILE = "pbs/live/\"p\"";

    @TempDir
    Path dir;

    @Test
    void shouldInspectARunningServersDataDirectoryFromAnotherProcess() throws Exception
    {
        final Path data = dir.resolve("data");
        try (SyncServer server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(data)
            .appId(APP).eventLoops(1));
             SyncTestClient c = SyncTestClient.connect(server.port(), APP, SyncTestClient.login(server.port(), APP),
                 false))
        {
            c.bind(1, "\"p\"", true);
            final Msg ident = c.next();
            assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
            c.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
            c.mark(1, 1);
            assertThat(c.next(MessageType.SERVER_MARK).get(0)).isEqualTo(1);
            c.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 2, "a")));
            assertThat(c.next(MessageType.DOWNLOAD).get(4)).as("upload acknowledged").isEqualTo(2);

            final JsonObject list = new JsonObject(inspect("--data-dir", data.toString(), "--json"));
            final JsonObject file = list.getJsonArray("server_files").getJsonObject(0);
            assertThat(file.getString("name")).isEqualTo(FILE);
            assertThat(file.getLong("head")).isEqualTo(1);
            assertThat(file.getJsonArray("clients").getJsonObject(0).getLong("ident")).isEqualTo(ident.get(0));

            c.upload(1, 3, 1, 1, false, new Up(3, 1, Changesets.objects("Item", 3, 1, "b")));
            assertThat(c.next(MessageType.DOWNLOAD).get(4)).as("uploads go on after an inspection").isEqualTo(3);

            final JsonArray objects = new JsonObject(inspect("--data-dir", data.toString(), "--file", FILE,
                "--objects", "--json")).getJsonArray("classes").getJsonObject(0).getJsonArray("objects");
            assertThat(objects).hasSize(3);
            assertThat(objects.getJsonObject(2).getString("name")).isEqualTo("b3");

            c.upload(1, 4, 2, 2, false, new Up(4, 2, Changesets.objects("Item", 4, 1, "c")));
            assertThat(c.next(MessageType.DOWNLOAD).get(4)).isEqualTo(4);
            assertThat(server.sync().head(FILE)).isEqualTo(3);
            assertThat(server.sync().objectStateDump(FILE)).contains("\"a1\"", "\"b3\"", "\"c4\"");
        }
    }

    /** Runs {@code outpost ARGS} in a child JVM with the test classpath; returns its stdout. */
    private String inspect(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final String flags = System.getProperty("outpost.jvm.flags", "");
        for (final String f : flags.trim().split("\\s+"))
        {
            if (!f.isEmpty())
            {
                command.add(f);
            }
        }
        final String surefire = System.getProperty("surefire.test.class.path");
        command.add("-cp");
        command.add(null != surefire && !surefire.isBlank() ? surefire : System.getProperty("java.class.path"));
        command.add("dev.outpost.server.cli.OutpostMain");
        command.add("inspect");
        command.addAll(List.of(args));
        final Path out = dir.resolve("inspect.out");
        final Path err = dir.resolve("inspect.err");
        final Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("inspect finished").isTrue();
        final String stderr = java.nio.file.Files.readString(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("inspect exit code; stderr:\n" + stderr).isZero();
        return java.nio.file.Files.readString(out, StandardCharsets.UTF_8);
    }
}
