package dev.outpost.server.sync;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.server.config.SyncSettings;
import dev.outpost.server.sync.wire.ErrorBodies;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.Base64;

/**
 * What an app's {@link SyncSettings} decide at BIND, before any server file is touched: the sync mode a connection
 * must speak, whether sync is enabled, and (partition-based sync) whether a partition value is canonical Extended
 * JSON of the partition key's type. Stateless; BIND only (never per message).
 */
final class SyncSettingsRules
{
    /**
     * A refusal: the wire error and its message.
     *
     * @param code    the error code.
     * @param message the message the client reports.
     */
    record Refusal(ProtocolErrorCode code, String message)
    {
    }

    private SyncSettingsRules()
    {
    }

    /**
     * @param settings the app's sync settings, or null (none: both modes are served).
     * @param flx      whether the connection speaks FLX ({@code com.mongodb.realm-query-sync}).
     * @return null if the connection's mode is the app's, else the connection-level refusal realm-core's client
     * maps to {@code WrongSyncType}: 113 (switch_to_flx_sync) for a PBS client of a flexible app, 114
     * (switch_to_pbs) for an FLX client of a partition-based app.
     */
    static Refusal mode(final SyncSettings settings, final boolean flx)
    {
        if (null == settings)
        {
            return null;
        }
        if (settings.mode() == SyncSettings.Mode.FLEXIBLE && !flx)
        {
            return new Refusal(ProtocolErrorCode.SWITCH_TO_FLX_SYNC, "this app uses flexible sync: open the " +
                "realm with a flexible sync configuration, not a partition value");
        }
        if (settings.mode() == SyncSettings.Mode.PARTITION && flx)
        {
            return new Refusal(ProtocolErrorCode.SWITCH_TO_PBS, "this app uses partition-based sync: open the " +
                "realm with a partition value, not a flexible sync configuration");
        }
        return null;
    }

    /**
     * @param settings the app's sync settings, or null.
     * @return null if sync is enabled (or there are no settings), else the session-level refusal (213, disabled
     * session).
     */
    static Refusal enabled(final SyncSettings settings)
    {
        if (null == settings || settings.enabled())
        {
            return null;
        }
        return new Refusal(ProtocolErrorCode.DISABLED_SESSION, "sync is disabled for this app (sync/config.json " +
            "state is not \"enabled\")");
    }

    /**
     * @param settings the app's sync settings, or null.
     * @param value    a PBS BIND's partition value as the client sent it.
     * @return null if {@code value} is canonical Extended JSON of the partition key's type (or {@code null}), or no
     * type is configured; else the session-level refusal 204 (illegal_realm_path, BadSyncPartitionValue to the
     * client) naming the expected type.
     */
    static Refusal partition(final SyncSettings settings, final String value)
    {
        if (null == settings || null == settings.partitionKeyType())
        {
            return null;
        }
        final String type = settings.partitionKeyType();
        if (isPartitionValue(type, value))
        {
            return null;
        }
        return new Refusal(ProtocolErrorCode.ILLEGAL_REALM_PATH, "partition value is not " + describe(type) +
            " (partition key '" + settings.partitionKey() + "' is of type " + type + "): " +
            ErrorBodies.abbreviate(value, SyncService.ABBREVIATED_CHARS));
    }

    /**
     * @param type  a partition key type ({@link SyncSettings#PARTITION_KEY_TYPES}).
     * @param value the partition value's text.
     * @return whether it is canonical Extended JSON of that type (as realm's SDKs write it), or {@code null}.
     */
    static boolean isPartitionValue(final String type, final String value)
    {
        final Object parsed;
        try
        {
            parsed = Json.decodeValue(value);
        }
        catch (final DecodeException | IllegalArgumentException ex)
        {
            return false;
        }
        if (null == parsed)
        {
            return true;
        }
        return switch (type)
        {
            case "string" -> parsed instanceof String;
            case "long" -> isInteger(parsed, "$numberLong") || isInteger(parsed, "$numberInt");
            case "objectId" -> isObjectId(parsed);
            case "uuid" -> isUuid(parsed);
            default -> false;
        };
    }

    private static String describe(final String type)
    {
        return switch (type)
        {
            case "string" -> "a string (\"...\")";
            case "long" -> "an integer ({\"$numberLong\":\"...\"} or {\"$numberInt\":\"...\"})";
            case "objectId" -> "an ObjectId ({\"$oid\":\"<24 hex digits>\"})";
            case "uuid" -> "a UUID ({\"$binary\":{\"base64\":\"...\",\"subType\":\"04\"}} or {\"$uuid\":\"...\"})";
            default -> "of type " + type;
        };
    }

    private static Object single(final Object parsed, final String key)
    {
        if (!(parsed instanceof JsonObject o) || o.size() != 1)
        {
            return null;
        }
        return o.getValue(key);
    }

    private static boolean isInteger(final Object parsed, final String key)
    {
        final Object v = single(parsed, key);
        if (!(v instanceof String s))
        {
            return false;
        }
        try
        {
            if ("$numberInt".equals(key))
            {
                Integer.parseInt(s);
            }
            else
            {
                Long.parseLong(s);
            }
            return !s.startsWith("+");
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    private static boolean isObjectId(final Object parsed)
    {
        final Object v = single(parsed, "$oid");
        return v instanceof String s && s.length() == 24 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private static boolean isUuid(final Object parsed)
    {
        final Object uuid = single(parsed, "$uuid");
        if (uuid instanceof String s)
        {
            return s.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
        }
        final Object binary = single(parsed, "$binary");
        if (!(binary instanceof JsonObject b) || b.size() != 2 || !"04".equals(b.getValue("subType")) ||
            !(b.getValue("base64") instanceof String base64))
        {
            return false;
        }
        try
        {
            return Base64.getDecoder().decode(base64).length == 16;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }
}
