package dev.outpost.server.sync;

import dev.outpost.ot.rules.RuleJson;
import dev.outpost.ot.rules.RuleRefusal;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.TableData;
import dev.outpost.ot.state.Value;
import dev.outpost.server.auth.AuthException;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.sync.writer.ShardWriter;
import dev.outpost.server.sync.writer.WriterCommand;
import dev.outpost.server.inspect.ExtendedJson;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * Writer: a user's custom user data from the server file's object state (the writer's state cache, loaded if it was
 * evicted): the first object of the configured class whose user id field holds the user's id (a string, or an
 * ObjectId of the same 24 hex digits), as canonical Extended JSON. One scan of the class per login or token refresh.
 * The result is handed over off the writer thread (token signing must not run on it).
 */
final class CustomUserDataRead extends WriterCommand
{
    private final String fileName;
    private final AppConfig.CustomUserData setting;
    private final String userId;
    private final CompletableFuture<String> result;
    private String json;
    private AuthException refused;

    CustomUserDataRead(final String fileName, final AppConfig.CustomUserData setting, final String userId,
        final CompletableFuture<String> result)
    {
        this.fileName = fileName;
        this.setting = setting;
        this.userId = userId;
        this.result = result;
    }

    @Override
    protected void execute(final ShardWriter writer)
    {
        final TableData table = writer.open(fileName).state().table(setting.className());
        final ObjectData found = null == table ? null : find(table, setting.userIdField(), userId);
        if (null == found)
        {
            return;
        }
        final StringBuilder out = new StringBuilder();
        ExtendedJson.write(found, false, out);
        final String text = out.toString();
        if (text.getBytes(StandardCharsets.UTF_8).length > AppConfig.CustomUserData.MAX_BYTES)
        {
            refused = tooLarge("is larger than " + AppConfig.CustomUserData.MAX_BYTES + " bytes as Extended JSON");
            return;
        }
        try
        {
            RuleJson.parse(text); // rules read it back from the token: what they cannot read is refused here
        }
        catch (final RuleRefusal ex)
        {
            refused = tooLarge("cannot be read by rules: " + ex.getMessage());
            return;
        }
        json = text;
    }

    private AuthException tooLarge(final String why)
    {
        return new AuthException(500, "InternalServerError", "the custom user data of this user (" +
            setting.className() + " object) " + why + "; the access token cannot carry it");
    }

    /** @return the first object of {@code table} whose {@code field} is the user's id, or null. */
    static ObjectData find(final TableData table, final String field, final String userId)
    {
        final byte[] oid = userId.length() == 24 && userId.matches("[0-9a-f]{24}") ?
            HexFormat.of().parseHex(userId) : null;
        for (final ObjectData o : table.objects().values())
        {
            final Value v = o.get(field);
            if (v instanceof Value.Str s && userId.equals(s.value()))
            {
                return o;
            }
            if (null != oid && v instanceof Value.ObjectIdValue id && java.util.Arrays.equals(oid, id.bytes()))
            {
                return o;
            }
        }
        return null;
    }

    @Override
    protected void complete()
    {
        if (null != refused)
        {
            CompletableFuture.runAsync(() -> result.completeExceptionally(refused));
        }
        else
        {
            final String text = json;
            result.completeAsync(() -> text);
        }
    }

    @Override
    protected void fail(final Throwable cause)
    {
        CompletableFuture.runAsync(() -> result.completeExceptionally(cause));
    }
}
