package dev.outpost.server.config;

import dev.outpost.ot.rules.Rules;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What Outpost takes from an App Services export ({@code appservices pull} / {@code realm-cli pull}): the app id, the
 * auth providers, the sync settings, and one warning per item it does not support. Immutable; read by
 * {@link AppServicesExport#read}.
 *
 * @param dir         the export directory.
 * @param appId       {@code root_config.json}'s {@code app_id}, else its {@code name}; null if it has neither.
 * @param anonymous   whether {@code anon-user} is enabled.
 * @param userPass    {@code local-userpass} settings, or null when it is absent or disabled.
 * @param customToken {@code custom-token} settings before its signing key is resolved, or null when absent or
 *                    disabled.
 * @param apiKeys     whether {@code api-key} is enabled.
 * @param sync        the sync settings, or null when the export has no {@code sync/config.json}.
 * @param warnings    one line per item of the export Outpost does not apply, each naming the file it came from.
 * @param rules       the permission rules (roles, partition permissions), {@link Rules#NONE} when it has none.
 * @param customUserData {@code auth/custom_user_data.json} when enabled (its {@code collection_name} as the class,
 *                    no partition), else null.
 */
public record AppServicesConfig(Path dir, String appId, boolean anonymous, AppConfig.UserPass userPass,
    TokenSpec customToken, boolean apiKeys, SyncSettings sync, List<String> warnings, Rules rules,
    AppConfig.CustomUserData customUserData)
{
    public AppServicesConfig
    {
        Objects.requireNonNull(dir, "dir");
        warnings = List.copyOf(warnings);
        rules = null == rules ? Rules.NONE : rules;
    }

    /**
     * The {@code custom-token} provider as exported: the signing key's value is not in the export (only the name of
     * the App Services secret holding it), so it is resolved from Outpost's configuration.
     *
     * @param algorithm      HS256 or RS256.
     * @param secretNames    the names in {@code secret_config.signingKeys}.
     * @param key            the resolved key (HS256 secret or RS256 PEM public key), or null if none was found.
     * @param audience       required {@code aud}, or null.
     * @param metadataFields claims copied to the profile's data.
     * @param origin         the file and key naming the signing keys, for errors.
     */
    public record TokenSpec(JwtAlgorithm algorithm, List<String> secretNames, String key, String audience,
        List<String> metadataFields, String origin)
    {
        public TokenSpec
        {
            Objects.requireNonNull(algorithm, "algorithm");
            secretNames = List.copyOf(secretNames);
            metadataFields = List.copyOf(metadataFields);
        }

        @Override
        public String toString()
        {
            return "TokenSpec[" + algorithm + ", secrets=" + secretNames + ", key=" + (null == key ? "missing" :
                "set") + ", aud=" + audience + ", metadata=" + metadataFields + "]";
        }
    }
}
