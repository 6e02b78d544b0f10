package dev.outpost.server.backup;

import dev.outpost.server.auth.AuthStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Backup} without a server: an auth log being appended is copied up to its last complete line, files the
 * server writes through a temporary name are left out, a directory that is no data directory and a backup without
 * its marker (cut short) are refused as bad usage.
 */
class BackupTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCopyAnAuthLogUpToItsLastCompleteLineAndLeaveTemporaryFilesOut() throws Exception
    {
        final Path data = Files.createDirectories(dir.resolve("data"));
        final String complete = "OUTPOST-AUTH 1\n0a1b2c3d {\"t\":\"user\"}\n";
        Files.writeString(data.resolve(AuthStore.FILE_NAME), complete + "0a1b2c3d {\"t\":\"sess",
            StandardCharsets.UTF_8);
        Files.writeString(data.resolve("jwt-hs256.key"), "k".repeat(64));
        Files.writeString(data.resolve("jwt-hs256.key.tmp"), "half");

        final Backup.Summary summary = Backup.backup(data, dir.resolve("backup"));

        assertThat(Files.readString(dir.resolve("backup").resolve(AuthStore.FILE_NAME))).isEqualTo(complete);
        assertThat(summary.authRecords()).isEqualTo(1);
        assertThat(dir.resolve("backup/jwt-hs256.key")).hasContent("k".repeat(64));
        assertThat(dir.resolve("backup/jwt-hs256.key.tmp")).doesNotExist();
        assertThat(dir.resolve("backup").resolve(Backup.MARKER)).exists();

        Backup.restore(dir.resolve("backup"), dir.resolve("restored"));
        assertThat(Files.readString(dir.resolve("restored").resolve(AuthStore.FILE_NAME))).isEqualTo(complete);
        assertThat(dir.resolve("restored").resolve(Backup.MARKER)).doesNotExist();
    }

    @Test
    void shouldRefuseANonDataDirectoryAndABackupWithoutItsMarkerAsBadUsage() throws Exception
    {
        final Path notData = Files.createDirectories(dir.resolve("photos"));
        Files.writeString(notData.resolve("a.jpg"), "x");
        final Path cutShort = Files.createDirectories(dir.resolve("cut"));
        Files.writeString(cutShort.resolve(AuthStore.FILE_NAME), "OUTPOST-AUTH 1\n");

        assertThatThrownBy(() -> Backup.backup(notData, dir.resolve("b1"))).isInstanceOf(BackupException.class)
            .hasMessageContaining("is not an Outpost data directory")
            .satisfies(ex -> assertThat(((BackupException)ex).usage()).isTrue());
        assertThatThrownBy(() -> Backup.restore(cutShort, dir.resolve("r1"))).isInstanceOf(BackupException.class)
            .hasMessageContaining("is not a complete backup")
            .satisfies(ex -> assertThat(((BackupException)ex).usage()).isTrue());
        assertThat(dir.resolve("b1")).doesNotExist();
        assertThat(dir.resolve("r1")).doesNotExist();
    }
}
