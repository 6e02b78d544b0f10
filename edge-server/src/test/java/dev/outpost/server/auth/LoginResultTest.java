package dev.outpost.server.auth;

import dev.outpost.server.auth.AuthMetrics.LoginResult;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

/** How a failed login is counted in {@code outpost_auth_logins_total{result}}. */
class LoginResultTest
{
    @Test
    void shouldCountEachFailureUnderItsResult()
    {
        assertThat(AuthService.loginResult(AuthException.invalidCredentials("invalid username/password")))
            .isEqualTo(LoginResult.BAD_CREDENTIALS);
        assertThat(AuthService.loginResult(new AuthException(400, "BadRequest", "malformed")))
            .isEqualTo(LoginResult.BAD_CREDENTIALS);
        assertThat(AuthService.loginResult(AuthException.invalidCredentials("API key is disabled")))
            .isEqualTo(LoginResult.DISABLED);
        assertThat(AuthService.loginResult(new AuthException(404, "AuthProviderNotFound", "not enabled")))
            .isEqualTo(LoginResult.DISABLED);
        assertThat(AuthService.loginResult(new CompletionException(new AuthException(429, "LimitExceeded", "wait"))))
            .isEqualTo(LoginResult.LOCKED_OUT);
        assertThat(AuthService.loginResult(new AuthException(503, "ServiceUnavailable", "busy")))
            .isEqualTo(LoginResult.ERROR);
        assertThat(AuthService.loginResult(new CompletionException(new IllegalStateException("disk"))))
            .isEqualTo(LoginResult.ERROR);
    }

    @Test
    void shouldReportTheFailureThatReachedTheLimitAsTheLockout()
    {
        final LoginLimiter limiter = new LoginLimiter(3, 60);
        assertThat(limiter.failed("a", 100)).isFalse();
        assertThat(limiter.failed("a", 101)).isFalse();
        assertThat(limiter.failed("a", 102)).isTrue();
        assertThat(limiter.failed("a", 103)).as("already locked out").isFalse();
        assertThat(new LoginLimiter(1, 60).failed("b", 100)).isTrue();
    }
}
