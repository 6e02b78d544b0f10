package dev.outpost.server.ws;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class TaskKindTest
{
    private static TaskKind of(final String frame)
    {
        final byte[] b = ("xx" + frame).getBytes(StandardCharsets.US_ASCII);
        return TaskKind.ofMessage(new UnsafeBuffer(b), 2, b.length - 2);
    }

    @Test
    void shouldClassifyEveryInboundMessageByItsName()
    {
        assertThat(of("bind 1 0 0 1 0\n")).isEqualTo(TaskKind.BIND);
        assertThat(of("ident 1 2 3 0 0 0 0\n")).isEqualTo(TaskKind.IDENT);
        assertThat(of("upload 1 0 0 0 2 0 0\n")).isEqualTo(TaskKind.UPLOAD);
        assertThat(of("unbind 1\n")).isEqualTo(TaskKind.UNBIND);
        assertThat(of("mark 1 2\n")).isEqualTo(TaskKind.MARK);
        assertThat(of("query 1 2 0\n")).isEqualTo(TaskKind.QUERY);
        assertThat(of("ping 1 0\n")).isEqualTo(TaskKind.PING);
        assertThat(of("json_error 1 0 0\n")).isEqualTo(TaskKind.MESSAGE_OTHER);
        assertThat(of("transact 1 2 3 0\n")).isEqualTo(TaskKind.MESSAGE_OTHER);
        assertThat(of("state_request 1 0 0 0\n")).isEqualTo(TaskKind.MESSAGE_OTHER);
        assertThat(of("id")).as("too short to be a message").isEqualTo(TaskKind.MESSAGE_OTHER);
        assertThat(of("\u0000\u0001garbage")).isEqualTo(TaskKind.MESSAGE_OTHER);
    }

    @Test
    void shouldHaveDistinctTags()
    {
        assertThat(java.util.Arrays.stream(TaskKind.all()).map(TaskKind::tag).distinct().count())
            .isEqualTo(TaskKind.all().length);
    }
}
