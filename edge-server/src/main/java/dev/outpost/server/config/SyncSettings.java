package dev.outpost.server.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An app's Device Sync settings as App Services kept them ({@code sync/config.json} and the collections'
 * {@code schema.json} of an export) or as Outpost's own config file states them ({@code sync:} of an app). Immutable.
 * <p>
 * Enforced by the app's sync engine ({@link ServerConfig#syncSettings()}): the sync mode, {@code enabled}, the
 * partition key type, the schemas with development mode off, the asymmetric classes, and the queryable fields with
 * development mode (FLX queries); not yet: offline days, recovery mode. See edge-server/OPERATING.md, "From an App
 * Services export", and edge-server/SYNC.md, "App sync settings" and "FLX".
 *
 * @param mode                      flexible or partition-based sync.
 * @param enabled                   {@code state: enabled} (false: sync was disabled or paused in App Services).
 * @param developmentMode           whether clients may add classes and properties.
 * @param queryableFields           fields every class may be queried on (global queryable fields).
 * @param collectionQueryableFields per class, further fields it may be queried on.
 * @param indexedQueryableFields    queryable fields App Services indexed (at most one in App Services).
 * @param asymmetricTables          classes clients only insert into (Data Ingest).
 * @param clientMaxOfflineDays      client maximum offline time in days (0: not set).
 * @param recoveryModeDisabled      whether client reset recovery mode is off.
 * @param partitionKey              partition-based sync: the partition key's field name, else null.
 * @param partitionKeyType          partition-based sync: {@code string}, {@code objectId}, {@code long} or
 *                                  {@code uuid}, else null.
 * @param schemas                   per class name (the schema's {@code title}), its schema from the export; empty
 *                                  when the settings come from Outpost's config file.
 */
public record SyncSettings(Mode mode, boolean enabled, boolean developmentMode, List<String> queryableFields,
    Map<String, List<String>> collectionQueryableFields, List<String> indexedQueryableFields,
    List<String> asymmetricTables, int clientMaxOfflineDays, boolean recoveryModeDisabled, String partitionKey,
    String partitionKeyType, Map<String, ClassSchema> schemas)
{
    /** Partition key types App Services accepts. */
    public static final List<String> PARTITION_KEY_TYPES = List.of("string", "objectId", "long", "uuid");

    /** Sync mode. */
    public enum Mode
    {
        /** Flexible sync: subscriptions (queries). */
        FLEXIBLE,
        /** Partition-based sync: one realm per partition value. */
        PARTITION;

        /**
         * @param text {@code flexible} or {@code partition} (any case).
         * @return the mode, or null if it names none.
         */
        public static Mode of(final String text)
        {
            final String t = text.trim().toLowerCase(Locale.ROOT);
            return "flexible".equals(t) ? FLEXIBLE : "partition".equals(t) ? PARTITION : null;
        }
    }

    public SyncSettings
    {
        Objects.requireNonNull(mode, "mode");
        queryableFields = List.copyOf(queryableFields);
        final Map<String, List<String>> perClass = new LinkedHashMap<>();
        collectionQueryableFields.forEach((k, v) -> perClass.put(k, List.copyOf(v)));
        collectionQueryableFields = Collections.unmodifiableMap(perClass);
        indexedQueryableFields = List.copyOf(indexedQueryableFields);
        asymmetricTables = List.copyOf(asymmetricTables);
        schemas = Collections.unmodifiableMap(new LinkedHashMap<>(schemas));
    }

    /**
     * @param schemas per class, its schema.
     * @return a copy with them.
     */
    public SyncSettings withSchemas(final Map<String, ClassSchema> schemas)
    {
        return new SyncSettings(mode, enabled, developmentMode, queryableFields, collectionQueryableFields,
            indexedQueryableFields, asymmetricTables, clientMaxOfflineDays, recoveryModeDisabled, partitionKey,
            partitionKeyType, schemas);
    }

    /**
     * @param className a class name.
     * @return the fields it may be queried on: the global ones and its own.
     */
    public List<String> queryableFieldsOf(final String className)
    {
        final List<String> own = collectionQueryableFields.get(className);
        if (null == own || own.isEmpty())
        {
            return queryableFields;
        }
        final List<String> all = new ArrayList<>(queryableFields);
        own.stream().filter(f -> !all.contains(f)).forEach(all::add);
        return List.copyOf(all);
    }

    /**
     * One collection's JSON schema from an export ({@code data_sources/mongodb-atlas/<db>/<collection>/schema.json}).
     *
     * @param name       the class name (the schema's {@code title}).
     * @param database   the database directory it came from.
     * @param collection the collection directory it came from.
     * @param properties property name to its type: the {@code bsonType}, {@code array<T>} for arrays of T,
     *                   {@code object} for embedded objects.
     * @param required   properties the schema requires.
     */
    public record ClassSchema(String name, String database, String collection, Map<String, String> properties,
        List<String> required)
    {
        public ClassSchema
        {
            Objects.requireNonNull(name, "name");
            properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
            required = List.copyOf(required);
        }
    }

    /** Collects settings while a file is read; {@link #build} validates the combination. */
    static final class Builder
    {
        Mode mode = Mode.FLEXIBLE;
        boolean enabled = true;
        boolean developmentMode;
        List<String> queryableFields = List.of();
        final Map<String, List<String>> collectionQueryableFields = new LinkedHashMap<>();
        List<String> indexedQueryableFields = List.of();
        List<String> asymmetricTables = List.of();
        int clientMaxOfflineDays;
        boolean recoveryModeDisabled;
        String partitionKey;
        String partitionKeyType;
        final Map<String, ClassSchema> schemas = new LinkedHashMap<>();

        Builder()
        {
        }

        Builder(final SyncSettings from)
        {
            mode = from.mode;
            enabled = from.enabled;
            developmentMode = from.developmentMode;
            queryableFields = from.queryableFields;
            collectionQueryableFields.putAll(from.collectionQueryableFields);
            indexedQueryableFields = from.indexedQueryableFields;
            asymmetricTables = from.asymmetricTables;
            clientMaxOfflineDays = from.clientMaxOfflineDays;
            recoveryModeDisabled = from.recoveryModeDisabled;
            partitionKey = from.partitionKey;
            partitionKeyType = from.partitionKeyType;
            schemas.putAll(from.schemas);
        }

        /**
         * @return the settings.
         * @throws IllegalArgumentException with the problem (the caller names the file and key).
         */
        SyncSettings build()
        {
            if (Mode.PARTITION == mode)
            {
                if (null == partitionKey || partitionKey.isBlank())
                {
                    throw new IllegalArgumentException("partition-based sync needs the partition key's name");
                }
                if (null == partitionKeyType || !PARTITION_KEY_TYPES.contains(partitionKeyType))
                {
                    throw new IllegalArgumentException("partition key type '" + partitionKeyType + "' is not one " +
                        "of " + PARTITION_KEY_TYPES);
                }
                if (!asymmetricTables.isEmpty())
                {
                    throw new IllegalArgumentException("asymmetric tables need flexible sync");
                }
            }
            if (clientMaxOfflineDays < 0)
            {
                throw new IllegalArgumentException("client max offline days " + clientMaxOfflineDays +
                    " is negative");
            }
            return new SyncSettings(mode, enabled, developmentMode, queryableFields, collectionQueryableFields,
                indexedQueryableFields, asymmetricTables, clientMaxOfflineDays, recoveryModeDisabled,
                Mode.PARTITION == mode ? partitionKey : null, Mode.PARTITION == mode ? partitionKeyType : null,
                schemas);
        }
    }
}
