package dev.outpost.server.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class AuthStoreTest
{
    @TempDir
    Path dir;

    @Test
    void shouldKeepUsersSessionsAndRevocationsAcrossReopen() throws Exception
    {
        final UserRecord user = new UserRecord(Ids.newId(1), "app", "anon-user", Ids.newId(1), 1);
        final RefreshSession live = new RefreshSession(Ids.newId(2), user.id(), Ids.newId(2), 2, false);
        final RefreshSession revoked = new RefreshSession(Ids.newId(3), user.id(), Ids.newId(3), 3, false);
        try (AuthStore store = AuthStore.open(dir))
        {
            store.addUserAndSession(user, live).get(5, TimeUnit.SECONDS);
            store.addUserAndSession(user, revoked).get(5, TimeUnit.SECONDS);
            store.revoke(revoked.id(), 4).get(5, TimeUnit.SECONDS);
            assertThat(store.session(revoked.id()).revoked()).isTrue();
        }

        try (AuthStore store = AuthStore.open(dir))
        {
            assertThat(store.user(user.id())).isEqualTo(user);
            assertThat(store.session(live.id())).isEqualTo(live);
            assertThat(store.session(revoked.id()).revoked()).isTrue();
        }
    }

    @Test
    void shouldGroupConcurrentWritesAndMakeEachVisibleOnlyOnceDurable() throws Exception
    {
        final List<CompletableFuture<Void>> writes = new ArrayList<>();
        final List<String> ids = new ArrayList<>();
        try (AuthStore store = AuthStore.open(dir))
        {
            for (int i = 0; i < 200; i++)
            {
                final UserRecord user = new UserRecord(Ids.newId(i), "app", "anon-user", Ids.newId(i), i);
                ids.add(user.id());
                writes.add(store.addUserAndSession(user, new RefreshSession(Ids.newId(i), user.id(), "d", i, false)));
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
            assertThat(store.userCount()).isEqualTo(200);
        }
        try (AuthStore store = AuthStore.open(dir))
        {
            assertThat(ids).allSatisfy(id -> assertThat(store.user(id)).isNotNull());
        }
    }

    @Test
    void shouldCreateTheLogOwnerOnlyWithAVersionHeader() throws Exception
    {
        AuthStore.open(dir).close();

        final Path file = dir.resolve(AuthStore.FILE_NAME);
        assertThat(Files.readString(file)).isEqualTo("OUTPOST-AUTH 1\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void shouldRefuseAnUnknownFormatVersion() throws Exception
    {
        Files.writeString(dir.resolve(AuthStore.FILE_NAME), "OUTPOST-AUTH 7\n");

        assertThatThrownBy(() -> AuthStore.open(dir))
            .hasMessageContaining("format version '7'")
            .hasMessageContaining("version 1 only");
    }

    @Test
    void shouldRefuseAFileThatIsNotAnAuthLog() throws Exception
    {
        Files.writeString(dir.resolve(AuthStore.FILE_NAME), "hello\n");

        assertThatThrownBy(() -> AuthStore.open(dir)).hasMessageContaining("not an Outpost auth log");
    }

    @Test
    void shouldCutOffATornLastRecord() throws Exception
    {
        final UserRecord user = new UserRecord(Ids.newId(1), "app", "anon-user", Ids.newId(1), 1);
        try (AuthStore store = AuthStore.open(dir))
        {
            store.addUserAndSession(user, new RefreshSession(Ids.newId(1), user.id(), "d", 1, false))
                .get(5, TimeUnit.SECONDS);
        }
        final Path file = dir.resolve(AuthStore.FILE_NAME);
        final long goodSize = Files.size(file);
        Files.writeString(file, "1234abcd {\"t\":\"user\",\"id\":\"tor", StandardOpenOption.APPEND);

        try (AuthStore store = AuthStore.open(dir))
        {
            assertThat(store.user(user.id())).isEqualTo(user);
        }
        assertThat(Files.size(file)).isEqualTo(goodSize);
    }

    @Test
    void shouldRefuseADamagedRecordBeforeTheEnd() throws Exception
    {
        final UserRecord user = new UserRecord(Ids.newId(1), "app", "anon-user", Ids.newId(1), 1);
        try (AuthStore store = AuthStore.open(dir))
        {
            store.addUserAndSession(user, new RefreshSession(Ids.newId(1), user.id(), "d", 1, false))
                .get(5, TimeUnit.SECONDS);
        }
        final Path file = dir.resolve(AuthStore.FILE_NAME);
        final String text = Files.readString(file, StandardCharsets.UTF_8);
        Files.writeString(file, text.replace("anon-user", "anon-usex"));

        assertThatThrownBy(() -> AuthStore.open(dir)).hasMessageContaining("damaged record at line 2");
    }

    @Test
    void shouldRefuseASecondStoreOnTheSameDirectory() throws Exception
    {
        try (AuthStore ignored = AuthStore.open(dir))
        {
            assertThatThrownBy(() -> AuthStore.open(dir)).hasMessageContaining("locked by another process");
        }
        AuthStore.open(dir).close();
    }
}
