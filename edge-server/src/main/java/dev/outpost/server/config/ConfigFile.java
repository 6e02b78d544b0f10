package dev.outpost.server.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a configuration file: YAML, or JSON (which YAML reads as well). The top level is a mapping whose keys are
 * listed in {@link ServerConfig} ({@code port}, {@code data-dir}, {@code tls: {cert, key}}, {@code apps: [...]}...);
 * nested mappings are flattened to dotted keys ({@code tls.cert}). Only plain data is accepted (SnakeYAML's safe
 * constructor: no object instantiation).
 */
public final class ConfigFile
{
    private final Path path;
    private final Map<String, Object> values;
    private final List<Map<String, Object>> apps;

    private ConfigFile(final Path path, final Map<String, Object> values, final List<Map<String, Object>> apps)
    {
        this.path = path;
        this.values = values;
        this.apps = apps;
    }

    /**
     * @param path a YAML or JSON file.
     * @return its flattened settings.
     * @throws ConfigException if the file cannot be read or is not a mapping of settings.
     */
    public static ConfigFile read(final Path path)
    {
        final Object root;
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8))
        {
            final LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            root = new Yaml(new SafeConstructor(options)).load(reader);
        }
        catch (final IOException ex)
        {
            throw new ConfigException(ServerConfig.CONFIG_PROP, "cannot read config file '" + path + "': " +
                ConfigException.reason(ex));
        }
        catch (final MarkedYAMLException ex)
        {
            throw new ConfigException(ServerConfig.CONFIG_PROP, "config file '" + path + "' is not valid YAML/JSON: " +
                ex.getProblem() + (null == ex.getProblemMark() ? "" : " at line " +
                (ex.getProblemMark().getLine() + 1) + ", column " + (ex.getProblemMark().getColumn() + 1)));
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigException(ServerConfig.CONFIG_PROP, "config file '" + path + "' is not valid YAML/JSON: " +
                ex.getMessage());
        }
        if (null == root)
        {
            return new ConfigFile(path, Map.of(), null);
        }
        if (!(root instanceof Map))
        {
            throw new ConfigException(ServerConfig.CONFIG_PROP, "config file '" + path + "' must be a mapping of " +
                "settings (key: value), not a " + typeName(root));
        }
        final Map<String, Object> flat = new LinkedHashMap<>();
        List<Map<String, Object>> apps = null;
        for (final Map.Entry<?, ?> e : ((Map<?, ?>)root).entrySet())
        {
            final String key = String.valueOf(e.getKey());
            if ("apps".equals(key))
            {
                apps = readApps(path, e.getValue());
            }
            else
            {
                flatten(key, e.getValue(), flat);
            }
        }
        return new ConfigFile(path, flat, apps);
    }

    public Path path()
    {
        return path;
    }

    /**
     * @return dotted key to value (String, Number, Boolean or List of scalars), in file order.
     */
    public Map<String, Object> values()
    {
        return values;
    }

    /**
     * @return the entries of {@code apps:}, or null if the file has no such key.
     */
    public List<Map<String, Object>> apps()
    {
        return apps;
    }

    /**
     * @param key dotted key.
     * @return {@code <file>, key <key>}, for error messages.
     */
    public String origin(final String key)
    {
        return "config file " + path + ", key " + key;
    }

    static void flatten(final String prefix, final Object value, final Map<String, Object> into)
    {
        if (value instanceof Map)
        {
            for (final Map.Entry<?, ?> e : ((Map<?, ?>)value).entrySet())
            {
                flatten(prefix + "." + e.getKey(), e.getValue(), into);
            }
        }
        else
        {
            into.put(prefix, value);
        }
    }

    private static List<Map<String, Object>> readApps(final Path path, final Object value)
    {
        if (!(value instanceof List))
        {
            throw new ConfigException(ServerConfig.APPS_PROP, "config file " + path + ", key apps",
                "must be a list of apps (- id: myapp ...)");
        }
        final List<Map<String, Object>> apps = new ArrayList<>();
        int index = 0;
        for (final Object item : (List<?>)value)
        {
            if (!(item instanceof Map))
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "config file " + path + ", key apps[" + index + "]",
                    "must be a mapping with at least 'id'");
            }
            final Map<String, Object> flat = new LinkedHashMap<>();
            for (final Map.Entry<?, ?> e : ((Map<?, ?>)item).entrySet())
            {
                if ("rules".equals(String.valueOf(e.getKey())))
                {
                    flat.put("rules", e.getValue()); // query documents: their keys hold dots (%%user.id)
                    continue;
                }
                flatten(String.valueOf(e.getKey()), e.getValue(), flat);
            }
            apps.add(flat);
            index++;
        }
        return apps;
    }

    static String typeName(final Object value)
    {
        return value instanceof List ? "list" : value instanceof Map ? "mapping" : value.getClass().getSimpleName();
    }
}
