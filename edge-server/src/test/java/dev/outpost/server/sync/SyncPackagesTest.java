package dev.outpost.server.sync;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thread line of the sync engine, read from the compiled main classes (every class a class file names in its
 * constant pool: fields, methods, descriptors, signatures): code of {@code sync.writer} (what runs on a shard writer)
 * cannot reach a session ({@code sync} itself), {@code sync.flx} and {@code sync.wire} are leaves, and the packages
 * of the sync engine, like all of the server's packages, form no cycle.
 */
class SyncPackagesTest
{
    private static final String SERVER = "dev.outpost.server";
    private static final String SYNC = SERVER + ".sync";
    private static final Pattern NAME = Pattern.compile("dev/outpost/server/[A-Za-z0-9_/$]+");
    /** Class -> the server classes it uses (binary names, nested classes folded into their top-level class). */
    private static final Map<String, Set<String>> USES = new TreeMap<>();

    @BeforeAll
    static void readClasses() throws Exception
    {
        final Path root = Path.of(SyncService.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> files = Files.walk(root.resolve("dev/outpost/server")))
        {
            for (final Path f : (Iterable<Path>)files.filter(p -> p.toString().endsWith(".class"))::iterator)
            {
                final String name = topLevel(root.relativize(f).toString().replace('\\', '/')
                    .replace(".class", "").replace('/', '.'));
                final Set<String> uses = USES.computeIfAbsent(name, k -> new TreeSet<>());
                try (InputStream in = Files.newInputStream(f))
                {
                    for (final String s : utf8Constants(in))
                    {
                        final Matcher m = NAME.matcher(s);
                        while (m.find())
                        {
                            final String used = topLevel(m.group().replace('/', '.'));
                            if (!used.equals(name) && used.lastIndexOf('.') > SERVER.length())
                            {
                                uses.add(used);
                            }
                        }
                    }
                }
            }
        }
        assertThat(USES).containsKeys(SYNC + ".Session", SYNC + ".writer.ShardWriter", SYNC + ".writer.UploadCommand");
    }

    @Test
    void writerThreadCodeShouldNotReachASession()
    {
        final List<String> bad = uses(SYNC + ".writer", c -> packageOf(c).equals(SYNC));
        assertThat(bad).as("sync.writer classes using classes of sync (sessions, connections, the service)").isEmpty();
        assertThat(USES.get(SYNC + ".writer.UploadCommand")).as("the scan sees what a command uses")
            .contains(SYNC + ".writer.UploadCheck", SYNC + ".flx.CompensatingWrites");
    }

    @Test
    void flxAndWireShouldBeLeaves()
    {
        // the store's revert-entry marker is part of the record layout (STORE.md), not of the store's machinery
        assertThat(uses(SYNC + ".flx", c -> !packageOf(c).equals(SYNC + ".flx") &&
            !packageOf(c).equals(SYNC + ".wire") && !c.equals(SERVER + ".store.RevertEntryMarker")))
            .as("sync.flx uses only itself, sync.wire and the store's RevertEntryMarker of the server").isEmpty();
        assertThat(uses(SYNC + ".wire", c -> !packageOf(c).equals(SYNC + ".wire")))
            .as("sync.wire uses nothing else of the server").isEmpty();
    }

    @Test
    void syncPackagesShouldBeFreeOfCycles()
    {
        final List<List<String>> inSync = new ArrayList<>();
        for (final List<String> cycle : packageCycles())
        {
            if (cycle.stream().anyMatch(p -> p.equals(SYNC) || p.startsWith(SYNC + ".")))
            {
                inSync.add(cycle);
            }
        }
        assertThat(inSync).as("package cycles through the sync engine").isEmpty();
    }

    @Test
    void serverPackagesShouldBeFreeOfCycles()
    {
        // as ArchUnit's slices().matching("dev.outpost.server.(*)..").should().beFreeOfCycles(), per package
        assertThat(packageCycles()).as("package cycles among dev.outpost.server..").isEmpty();
    }

    /** @return "{@code class -> used}" for each class of {@code pkg} using a server class that matches. */
    private static List<String> uses(final String pkg, final java.util.function.Predicate<String> forbidden)
    {
        final List<String> bad = new ArrayList<>();
        USES.forEach((cls, used) ->
        {
            if (packageOf(cls).equals(pkg))
            {
                for (final String u : used)
                {
                    if (forbidden.test(u) && !packageOf(u).equals(SERVER))
                    {
                        bad.add(cls + " -> " + u);
                    }
                }
            }
        });
        return bad;
    }

    /** @return the strongly connected components of more than one package (Tarjan) among the server's packages. */
    static List<List<String>> packageCycles()
    {
        final Map<String, Set<String>> graph = new TreeMap<>();
        USES.forEach((cls, used) ->
        {
            final Set<String> out = graph.computeIfAbsent(packageOf(cls), k -> new TreeSet<>());
            for (final String u : used)
            {
                if (!packageOf(u).equals(packageOf(cls)))
                {
                    out.add(packageOf(u));
                }
            }
        });
        final Map<String, Integer> index = new HashMap<>();
        final Map<String, Integer> low = new HashMap<>();
        final Deque<String> stack = new ArrayDeque<>();
        final Set<String> onStack = new TreeSet<>();
        final List<List<String>> cycles = new ArrayList<>();
        for (final String v : graph.keySet())
        {
            if (!index.containsKey(v))
            {
                connect(v, graph, index, low, stack, onStack, cycles);
            }
        }
        return cycles;
    }

    private static void connect(final String v, final Map<String, Set<String>> graph, final Map<String, Integer> index,
        final Map<String, Integer> low, final Deque<String> stack, final Set<String> onStack,
        final List<List<String>> cycles)
    {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (final String w : graph.getOrDefault(v, Set.of()))
        {
            if (!index.containsKey(w))
            {
                connect(w, graph, index, low, stack, onStack, cycles);
                low.put(v, Math.min(low.get(v), low.get(w)));
            }
            else if (onStack.contains(w))
            {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v)))
        {
            final List<String> component = new ArrayList<>();
            String w;
            do
            {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            }
            while (!w.equals(v));
            if (component.size() > 1)
            {
                component.sort(null);
                cycles.add(component);
            }
        }
    }

    private static String topLevel(final String binaryName)
    {
        final int dollar = binaryName.indexOf('$');
        return dollar < 0 ? binaryName : binaryName.substring(0, dollar);
    }

    private static String packageOf(final String cls)
    {
        return cls.substring(0, cls.lastIndexOf('.'));
    }

    /** @return the CONSTANT_Utf8 entries of a class file (names, descriptors, signatures, string literals). */
    private static List<String> utf8Constants(final InputStream stream) throws IOException
    {
        final DataInputStream in = new DataInputStream(stream);
        if (in.readInt() != 0xCAFEBABE)
        {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        final int count = in.readUnsignedShort();
        final List<String> out = new ArrayList<>();
        for (int i = 1; i < count; i++)
        {
            final int tag = in.readUnsignedByte();
            switch (tag)
            {
                case 1 -> out.add(in.readUTF());
                case 3, 4 -> in.readInt();
                case 5, 6 ->
                {
                    in.readLong();
                    i++; // takes two slots
                }
                case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
                case 9, 10, 11, 12, 17, 18 -> in.readInt();
                case 15 ->
                {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("constant pool tag " + tag);
            }
        }
        return out;
    }
}
