package dev.outpost.server.realclient;

import io.realm.kotlin.internal.interop.NativePointer;
import io.realm.kotlin.internal.interop.RealmUserT;
import io.realm.kotlin.internal.interop.sync.ApiKeyWrapper;
import io.realm.kotlin.internal.interop.sync.SyncUserIdentity;

import java.util.Map;

import static dev.outpost.server.realclient.RealmClient.RI;

/**
 * Scenarios of the auth providers beyond anonymous login, all through realm-core's own App client.
 */
final class AuthScenarios
{
    private AuthScenarios()
    {
    }

    static void register(final Map<String, Scenario> all)
    {
        all.put("login", AuthScenarios::login);
    }

    /**
     * Log in as {@link RealmClient#login} says (register first with {@code register=true}), report the user id,
     * its identities (provider as realm-core sees it) and profile, and with {@code apiKey=NAME} create a user API
     * key through the client and report its {@code api_key_id} and {@code api_key}.
     */
    static void login(final RealmClient client, final Map<String, String> params, final JsonLine result)
        throws Exception
    {
        final NativePointer<RealmUserT> user = client.login(params, 30);
        result.put("user_id", RI.realm_user_get_identity(user));
        result.put("logged_in", RI.realm_user_is_logged_in(user));
        for (final SyncUserIdentity identity : RI.realm_user_get_all_identities(user))
        {
            result.add("identities", new JsonLine().put("id", identity.getId())
                .put("provider", String.valueOf(identity.getProvider())));
        }
        final String profile = RI.realm_user_get_profile(user);
        result.put("profile", null == profile || profile.isBlank() ? null : new JsonLine.Raw(profile));
        final String keyName = params.get("apiKey");
        if (null != keyName)
        {
            final ApiKeyWrapper key = client.createApiKey(user, keyName, 30);
            result.put("api_key_id", key.getId().toHexString());
            result.put("api_key", key.getValue());
            result.put("api_key_name", key.getName());
        }
    }
}
