package dev.outpost.server.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every tunable is a {@link ServerConfig} setting: no main code outside the {@code config} package reads a system
 * property itself ({@code System.getProperty}, {@code Integer.getInteger}, {@code Long.getLong},
 * {@code Boolean.getBoolean}, {@code System.getProperties}), except facts of the JVM listed here by name.
 */
class SystemPropertyReadsTest
{
    /** JVM facts main code may read where it needs them (all {@code java.} properties). */
    private static final Set<String> JVM_FACTS = Set.of("java.home", "java.version", "java.vm.name",
        "java.util.logging.SimpleFormatter.format");

    private static final Pattern READ = Pattern.compile(
        "\\b(System\\s*\\.\\s*getPropert(?:y|ies)|Integer\\s*\\.\\s*getInteger|Long\\s*\\.\\s*getLong|" +
        "Boolean\\s*\\.\\s*getBoolean)\\s*\\(\\s*(\"[^\"]*\")?");

    private static Path mainSources()
    {
        final Path module = Path.of("src/main/java/dev/outpost/server");
        return Files.isDirectory(module) ? module : Path.of("edge-server").resolve(module);
    }

    @Test
    void shouldReadSystemPropertiesOnlyInTheConfigPackage() throws IOException
    {
        final Path root = mainSources();
        final Path config = root.resolve("config");
        final List<String> offenders = new ArrayList<>();
        final int[] scanned = {0};
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".java")).toList())
            {
                scanned[0]++;
                if (file.startsWith(config))
                {
                    continue;
                }
                final String text = Files.readString(file);
                final Matcher m = READ.matcher(text);
                while (m.find())
                {
                    final String name = null == m.group(2) ? null : m.group(2).substring(1, m.group(2).length() - 1);
                    if (null == name || !JVM_FACTS.contains(name))
                    {
                        final int line = (int)text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
                        offenders.add(root.relativize(file) + ":" + line + " " + m.group());
                    }
                }
            }
        }
        assertThat(scanned[0]).as("main sources scanned under " + root.toAbsolutePath()).isGreaterThan(100);
        assertThat(offenders).as("system properties read outside the config package (make them ServerConfig " +
            "settings)").isEmpty();
    }
}
