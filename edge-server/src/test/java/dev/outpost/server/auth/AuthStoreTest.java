package dev.outpost.server.auth;

import io.vertx.core.json.JsonObject;
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
            .hasMessageContaining("versions 1 to 3 only");
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

    @Test
    void shouldReplayDisabledDeletedUsersAndResetPasswordsAsAVersion3Log() throws Exception
    {
        final UserRecord kept = new UserRecord(Ids.newId(1), "app", "local-userpass", Ids.newId(1), 1);
        final UserRecord gone = new UserRecord(Ids.newId(2), "app", "local-userpass", Ids.newId(2), 2);
        final RefreshSession goneSession = new RefreshSession(Ids.newId(3), gone.id(), "d", 3, false);
        final PasswordHasher.Hash first = PasswordHasher.hash("first-pw", 10_000);
        final PasswordHasher.Hash second = PasswordHasher.hash("second-pw", 10_000);
        try (AuthStore store = AuthStore.open(dir))
        {
            store.addUser(kept, new UserPassRecord(kept.id(), "kept@example.com", first)).get(5, TimeUnit.SECONDS);
            store.addUser(gone, new UserPassRecord(gone.id(), "gone@example.com", first)).get(5, TimeUnit.SECONDS);
            store.addSession(goneSession).get(5, TimeUnit.SECONDS);
            assertThat(store.headerVersion()).isEqualTo(2);
            store.setUserDisabled(kept.id(), true).get(5, TimeUnit.SECONDS);
            assertThat(store.headerVersion()).isEqualTo(3);
            store.setPassword(kept.id(), second).get(5, TimeUnit.SECONDS);
            store.deleteUser(gone.id()).get(5, TimeUnit.SECONDS);
            assertThat(store.userDisabled(kept.id())).isTrue();
            assertThat(store.user(gone.id())).isNull();
        }
        assertThat(Files.readString(dir.resolve(AuthStore.FILE_NAME))).startsWith("OUTPOST-AUTH 3\n")
            .doesNotContain("second-pw");

        try (AuthStore store = AuthStore.open(dir))
        {
            assertThat(store.headerVersion()).isEqualTo(3);
            assertThat(store.userDisabled(kept.id())).isTrue();
            assertThat(store.userPassOf(kept.id()).password()).isEqualTo(second);
            assertThat(store.userPass("kept@example.com").password()).isEqualTo(second);
            assertThat(store.user(gone.id())).isNull();
            assertThat(store.userPass("gone@example.com")).as("the address is free again").isNull();
            assertThat(store.session(goneSession.id()).revoked()).isTrue();
            assertThat(store.users()).extracting(UserRecord::id).containsExactly(kept.id());
            store.setUserDisabled(kept.id(), false).get(5, TimeUnit.SECONDS);
        }
        try (AuthStore store = AuthStore.open(dir))
        {
            assertThat(store.userDisabled(kept.id())).isFalse();
        }
    }

    @Test
    void shouldKeepAVersion1LogUntilTheFirstVersion2RecordThenUpgradeItsHeaderInPlace() throws Exception
    {
        final UserRecord anon = new UserRecord(Ids.newId(1), "app", "anon-user", Ids.newId(1), 1);
        try (AuthStore store = AuthStore.open(dir))
        {
            store.addUserAndSession(anon, new RefreshSession(Ids.newId(2), anon.id(), "d", 2, false))
                .get(5, TimeUnit.SECONDS);
            assertThat(store.headerVersion()).isEqualTo(1);
        }
        assertThat(Files.readString(dir.resolve(AuthStore.FILE_NAME))).startsWith("OUTPOST-AUTH 1\n");

        final UserRecord person = new UserRecord(Ids.newId(3), "app", "local-userpass", Ids.newId(3), 3);
        final PasswordHasher.Hash hash = PasswordHasher.hash("secret-pw", 10_000);
        final ApiKey key = new ApiKey(Ids.newId(4), person.id(), "ci", AuthService.sha256("k"), 4, false);
        final ApiKey gone = new ApiKey(Ids.newId(5), person.id(), "old", AuthService.sha256("g"), 5, false);
        try (AuthStore store = AuthStore.open(dir))
        {
            assertThat(store.user(anon.id())).isEqualTo(anon);
            store.addUser(person, new UserPassRecord(person.id(), "Ann@Example.com", hash)).get(5, TimeUnit.SECONDS);
            assertThat(store.headerVersion()).isEqualTo(2);
            store.addApiKey(key).get(5, TimeUnit.SECONDS);
            store.addApiKey(gone).get(5, TimeUnit.SECONDS);
            store.setApiKeyDisabled(key.id(), true).get(5, TimeUnit.SECONDS);
            store.deleteApiKey(gone.id()).get(5, TimeUnit.SECONDS);
        }
        final String text = Files.readString(dir.resolve(AuthStore.FILE_NAME));
        assertThat(text).startsWith("OUTPOST-AUTH 2\n").doesNotContain("secret-pw");

        try (AuthStore store = AuthStore.open(dir))
        {
            assertThat(store.headerVersion()).isEqualTo(2);
            assertThat(store.user(anon.id())).isEqualTo(anon);
            assertThat(store.userPass("ann@example.COM").password()).isEqualTo(hash);
            assertThat(store.userPassOf(person.id()).email()).isEqualTo("Ann@Example.com");
            assertThat(PasswordHasher.matches("secret-pw", store.userPass("ann@example.com").password())).isTrue();
            assertThat(store.userByIdentity("local-userpass", person.identityId())).isEqualTo(person);
            assertThat(store.apiKeys(person.id())).containsExactly(key.disabled(true));
            assertThat(store.apiKeyByHash(AuthService.sha256("k")).id()).isEqualTo(key.id());
            assertThat(store.apiKey(gone.id())).isNull();
            assertThat(store.apiKeyByHash(AuthService.sha256("g"))).isNull();
        }
    }

    @Test
    void shouldStoreNonAsciiNamesByteExactAndRefuseAStringWithoutAUtf8Form() throws Exception
    {
        final String email = "\uD83D\uDE00e\u0301\u00e9@x.io";                 // emoji (4-byte UTF-8), combining
        final String keyName = "cl\u00e9 \uD83D\uDD11 e\u0301";
        final String sub = "\uD835\uDD18ser-\u0915\u094D\u0937";               // math letter, Devanagari conjunct
        final JsonObject data = new JsonObject().put("name", "Zo\u00eb \uD83D\uDC69\u200D\uD83D\uDC67");
        final UserRecord person = new UserRecord(Ids.newId(1), "app", "local-userpass", Ids.newId(1), 1);
        final UserRecord custom = new UserRecord(Ids.newId(2), "app", "custom-token", sub, 2);
        final UserRecord attacker = new UserRecord(Ids.newId(3), "app", "local-userpass", Ids.newId(3), 3);
        final PasswordHasher.Hash hash = PasswordHasher.hash("secret-pw", 10_000);
        final ApiKey key = new ApiKey(Ids.newId(4), person.id(), keyName, AuthService.sha256("k"), 4, false);
        try (AuthStore store = AuthStore.open(dir))
        {
            store.addUser(person, new UserPassRecord(person.id(), email, hash)).get(5, TimeUnit.SECONDS);
            store.addUser(custom, null).get(5, TimeUnit.SECONDS);
            store.setUserData(custom.id(), data).get(5, TimeUnit.SECONDS);
            store.addApiKey(key).get(5, TimeUnit.SECONDS);
            final CompletableFuture<Void> lone = store.addUser(attacker,
                new UserPassRecord(attacker.id(), "v\uD800@x.io", hash));
            assertThatThrownBy(() -> lone.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not well-formed Unicode");
            assertThat(store.user(attacker.id())).isNull();
            assertThat(store.setUserData(custom.id(), new JsonObject().put("name", "\uDC00")))
                .failsWithin(5, TimeUnit.SECONDS);
        }
        final byte[] log = Files.readAllBytes(dir.resolve(AuthStore.FILE_NAME));
        assertThat(new String(log, StandardCharsets.UTF_8)).contains(email, keyName, sub, data.getString("name"))
            .doesNotContain(attacker.id()).doesNotContain("v?@x.io");

        try (AuthStore store = AuthStore.open(dir))
        {
            assertThat(store.userPassOf(person.id()).email()).isEqualTo(email);
            assertThat(store.userPass(email).userId()).isEqualTo(person.id());
            assertThat(store.userByIdentity("custom-token", sub)).isEqualTo(custom);
            assertThat(store.userData(custom.id())).isEqualTo(data);
            assertThat(store.apiKeys(person.id())).containsExactly(key);
            assertThat(store.user(attacker.id())).isNull();
            assertThat(store.userPass("v?@x.io")).isNull();
        }
    }

    @Test
    void shouldRefuseToOpenALogWithTwoUsersUnderOneEmailNamingTheFileAndTheName() throws Exception
    {
        final PasswordHasher.Hash hash = PasswordHasher.hash("secret-pw", 10_000);
        final UserRecord victim = new UserRecord(Ids.newId(1), "app", "local-userpass", Ids.newId(1), 1);
        final UserRecord attacker = new UserRecord(Ids.newId(2), "app", "local-userpass", Ids.newId(2), 2);
        try (AuthStore store = AuthStore.open(dir))
        {
            // What an older server wrote for "v?@x.io" and "v\ud800@x.io": the store's writer does not check names.
            store.addUser(victim, new UserPassRecord(victim.id(), "v?@x.io", hash)).get(5, TimeUnit.SECONDS);
            store.addUser(attacker, new UserPassRecord(attacker.id(), "V?@x.io", hash)).get(5, TimeUnit.SECONDS);
        }
        final Path file = dir.resolve(AuthStore.FILE_NAME);

        assertThatThrownBy(() -> AuthStore.open(dir)).isInstanceOf(java.io.IOException.class)
            .hasMessageContaining(file.toString()).hasMessageContaining("two users under one name")
            .hasMessageContaining("email \"V?@x.io\"").hasMessageContaining(victim.id() + " (line 3)")
            .hasMessageContaining(attacker.id() + " (line 5)");

        // The repair the README describes: delete the named line of the account that must not have the name.
        final List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        lines.remove(5 - 1);
        Files.write(file, lines, StandardCharsets.UTF_8);
        try (AuthStore store = AuthStore.open(dir))
        {
            assertThat(store.userPass("v?@x.io").userId()).isEqualTo(victim.id());
            assertThat(store.userPassOf(attacker.id())).isNull();
        }
    }

    @Test
    void shouldRefuseToOpenALogWithTwoUsersUnderOneProviderIdentity() throws Exception
    {
        try (AuthStore store = AuthStore.open(dir))
        {
            store.addUser(new UserRecord(Ids.newId(1), "app", "custom-token", "sub-1", 1), null)
                .get(5, TimeUnit.SECONDS);
            store.addUser(new UserRecord(Ids.newId(2), "app", "custom-token", "sub-1", 2), null)
                .get(5, TimeUnit.SECONDS);
        }

        assertThatThrownBy(() -> AuthStore.open(dir)).isInstanceOf(java.io.IOException.class)
            .hasMessageContaining(dir.resolve(AuthStore.FILE_NAME).toString())
            .hasMessageContaining("custom-token identity \"sub-1\"");
    }

    @Test
    void shouldHashPasswordsSaltedAndCompareThem()
    {
        final PasswordHasher.Hash a = PasswordHasher.hash("correct horse", 10_000);
        final PasswordHasher.Hash b = PasswordHasher.hash("correct horse", 10_000);
        assertThat(a.salt()).isNotEqualTo(b.salt());
        assertThat(a.hash()).isNotEqualTo(b.hash());
        assertThat(PasswordHasher.matches("correct horse", a)).isTrue();
        assertThat(PasswordHasher.matches("correct horsE", a)).isFalse();
        assertThat(a.toString()).doesNotContain(a.hash()).doesNotContain(a.salt());
    }

    @Test
    void shouldLimitFailedLoginsPerAccountWithinTheWindow()
    {
        final LoginLimiter limiter = new LoginLimiter(3, 60);
        for (int i = 0; i < 3; i++)
        {
            assertThat(limiter.blockedFor("ann", 1000)).isZero();
            limiter.failed("ann", 1000 + i);
        }
        assertThat(limiter.blockedFor("ann", 1010)).isEqualTo(50);
        assertThat(limiter.blockedFor("bob", 1010)).isZero();
        assertThat(limiter.blockedFor("ann", 1060)).as("window over").isZero();
        limiter.failed("ann", 1060);
        assertThat(limiter.blockedFor("ann", 1061)).as("a new window counts from 1").isZero();
        limiter.failed("bob", 1061);
        limiter.failed("bob", 1061);
        limiter.succeeded("bob");
        limiter.failed("bob", 1061);
        assertThat(limiter.blockedFor("bob", 1062)).as("success resets").isZero();
    }
}
