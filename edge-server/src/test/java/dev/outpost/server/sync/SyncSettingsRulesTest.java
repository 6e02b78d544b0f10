package dev.outpost.server.sync;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.server.config.SyncSettings;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SyncSettingsRulesTest
{
    static SyncSettings settings(final SyncSettings.Mode mode, final boolean enabled, final String keyType)
    {
        return new SyncSettings(mode, enabled, false, List.of(), Map.of(), List.of(), List.of(), 0, false,
            null == keyType ? null : "_partition", keyType, Map.of());
    }

    @Test
    void shouldServeBothModesWithoutSettings()
    {
        assertThat(SyncSettingsRules.mode(null, true)).isNull();
        assertThat(SyncSettingsRules.mode(null, false)).isNull();
        assertThat(SyncSettingsRules.enabled(null)).isNull();
        assertThat(SyncSettingsRules.partition(null, "not json")).isNull();
    }

    @Test
    void shouldRefuseTheOtherModeWithTheSwitchErrors()
    {
        final SyncSettings flexible = settings(SyncSettings.Mode.FLEXIBLE, true, null);
        assertThat(SyncSettingsRules.mode(flexible, true)).isNull();
        assertThat(SyncSettingsRules.mode(flexible, false).code()).isEqualTo(ProtocolErrorCode.SWITCH_TO_FLX_SYNC);
        final SyncSettings partition = settings(SyncSettings.Mode.PARTITION, true, "string");
        assertThat(SyncSettingsRules.mode(partition, false)).isNull();
        assertThat(SyncSettingsRules.mode(partition, true).code()).isEqualTo(ProtocolErrorCode.SWITCH_TO_PBS);
        assertThat(ProtocolErrorCode.SWITCH_TO_FLX_SYNC.isConnectionLevel()).isTrue();
    }

    @Test
    void shouldRefuseADisabledApp()
    {
        assertThat(SyncSettingsRules.enabled(settings(SyncSettings.Mode.FLEXIBLE, true, null))).isNull();
        final SyncSettingsRules.Refusal r = SyncSettingsRules.enabled(settings(SyncSettings.Mode.FLEXIBLE, false,
            null));
        assertThat(r.code()).isEqualTo(ProtocolErrorCode.DISABLED_SESSION);
        assertThat(r.message()).contains("disabled");
    }

    @Test
    void shouldAcceptCanonicalPartitionValuesOfTheKeyType()
    {
        assertThat(SyncSettingsRules.isPartitionValue("string", "\"p-1\"")).isTrue();
        assertThat(SyncSettingsRules.isPartitionValue("string", "\"quote \\\" inside\"")).isTrue();
        assertThat(SyncSettingsRules.isPartitionValue("long", "{\"$numberLong\":\"-9223372036854775808\"}")).isTrue();
        assertThat(SyncSettingsRules.isPartitionValue("long", "{\"$numberInt\":\"42\"}")).isTrue();
        assertThat(SyncSettingsRules.isPartitionValue("objectId", "{\"$oid\":\"5f1d7f1e2b9c8a3d4e5f6a7b\"}"))
            .isTrue();
        assertThat(SyncSettingsRules.isPartitionValue("uuid",
            "{\"$binary\":{\"base64\":\"AAECAwQFBgcICQoLDA0ODw==\",\"subType\":\"04\"}}")).isTrue();
        assertThat(SyncSettingsRules.isPartitionValue("uuid", "{\"$uuid\":\"00010203-0405-0607-0809-0a0b0c0d0e0f\"}"))
            .isTrue();
        for (final String type : SyncSettings.PARTITION_KEY_TYPES)
        {
            assertThat(SyncSettingsRules.isPartitionValue(type, "null")).as(type).isTrue();
        }
    }

    @Test
    void shouldRefuseValuesOfAnotherTypeOrNotJsonWith204()
    {
        assertThat(SyncSettingsRules.isPartitionValue("string", "p-1")).isFalse();
        assertThat(SyncSettingsRules.isPartitionValue("string", "{\"$oid\":\"5f1d7f1e2b9c8a3d4e5f6a7b\"}")).isFalse();
        assertThat(SyncSettingsRules.isPartitionValue("string", "\"unterminated")).isFalse();
        assertThat(SyncSettingsRules.isPartitionValue("long", "42")).isFalse();
        assertThat(SyncSettingsRules.isPartitionValue("long", "{\"$numberLong\":\"4.2\"}")).isFalse();
        assertThat(SyncSettingsRules.isPartitionValue("long", "{\"$numberInt\":\"9223372036854775807\"}")).isFalse();
        assertThat(SyncSettingsRules.isPartitionValue("long", "{\"$numberLong\":\"1\",\"x\":1}")).isFalse();
        assertThat(SyncSettingsRules.isPartitionValue("objectId", "{\"$oid\":\"5f1d7f1e2b9c8a3d4e5f6a7\"}")).isFalse();
        assertThat(SyncSettingsRules.isPartitionValue("objectId", "\"5f1d7f1e2b9c8a3d4e5f6a7b\"")).isFalse();
        assertThat(SyncSettingsRules.isPartitionValue("uuid",
            "{\"$binary\":{\"base64\":\"AAECAwQFBgcICQoLDA0ODw==\",\"subType\":\"00\"}}")).isFalse();
        assertThat(SyncSettingsRules.isPartitionValue("uuid", "{\"$uuid\":\"not-a-uuid\"}")).isFalse();
        final SyncSettingsRules.Refusal r = SyncSettingsRules.partition(settings(SyncSettings.Mode.PARTITION, true,
            "objectId"), "\"user-" + "x".repeat(200) + "\"");
        assertThat(r.code()).isEqualTo(ProtocolErrorCode.ILLEGAL_REALM_PATH);
        assertThat(r.message()).contains("ObjectId").contains("_partition").contains("characters)")
            .hasSizeLessThan(300);
    }
}
