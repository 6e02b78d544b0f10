package dev.outpost.server.sync.writer;

import dev.outpost.server.store.StoreCompaction;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Client file expiry at IDENT: by time, and for good once compaction removed the history it was based on. */
class IdentExpiryTest
{
    private static final long DAY = 86_400_000L;

    @Test
    void shouldExpireAClientFileCompactedAwayWhateverTheSetting()
    {
        final long now = 1_800_000_000_000L;
        assertThat(IdentCommand.expired(StoreCompaction.COMPACTED_AWAY, now, 0)).isTrue();
        assertThat(IdentCommand.expired(StoreCompaction.COMPACTED_AWAY, now, 10_000 * DAY)).isTrue();
    }

    @Test
    void shouldExpireByTimeOnlyWhenTheSettingIsOn()
    {
        final long now = 1_800_000_000_000L;
        assertThat(IdentCommand.expired(now - 31 * DAY, now, 30 * DAY)).isTrue();
        assertThat(IdentCommand.expired(now - 29 * DAY, now, 30 * DAY)).isFalse();
        assertThat(IdentCommand.expired(now - 3_000 * DAY, now, 0)).isFalse();
    }
}
