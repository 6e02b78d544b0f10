package dev.outpost.server.sync.wire;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorBodiesTest
{
    @Test
    void shouldProduceTheProtocolsExampleBodyByteForByte()
    {
        assertThat(ErrorBodies.json("ClientReset", "Bad client file identifier", false)).isEqualTo(
            "{\"action\":\"ClientReset\",\"isRecoveryModeDisabled\":false,\"logURL\":\"\",\"message\":\"Bad client " +
                "file identifier\",\"shouldClientReset\":true,\"tryAgain\":false}");
    }

    @Test
    void shouldEscapeMessagesIntoValidJson()
    {
        final String body = ErrorBodies.json("Transient", "a \"quoted\"\\ line\nand\u0001", true);
        final JsonObject json = new JsonObject(body);
        assertThat(json.getString("message")).isEqualTo("a \"quoted\"\\ line\nand\u0001");
        assertThat(json.getBoolean("shouldClientReset")).isFalse();
        assertThat(json.getBoolean("tryAgain")).isTrue();
    }
}
