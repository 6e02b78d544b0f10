package dev.outpost.server.sync;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UserAgentsTest
{
    @Test
    void shouldReadTheCoreVersionAndSdkOfRealmCoresUserAgent()
    {
        final String agent = "RealmSync/14.10.1 (Linux x86_64) RealmJS/12.6.0 MyApp/1.2";
        assertThat(UserAgents.coreVersion(agent)).isEqualTo("14.10.1");
        assertThat(UserAgents.sdk(agent)).isEqualTo("RealmJS/12.6.0");
    }

    @Test
    void shouldGiveNothingForOtherAgents()
    {
        assertThat(UserAgents.coreVersion("curl/8.0")).isNull();
        assertThat(UserAgents.sdk("curl/8.0")).isNull();
        assertThat(UserAgents.sdk("RealmSync/14.0.0 (Linux)")).isNull();
        assertThat(UserAgents.sdk("RealmSync/14.0.0 (broken")).isNull();
        assertThat(UserAgents.coreVersion(null)).isNull();
    }
}
