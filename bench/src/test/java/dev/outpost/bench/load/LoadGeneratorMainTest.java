package dev.outpost.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LoadGeneratorMainTest
{
    @Test
    void shouldRecogniseAServerThatIsNotThereBehindTheFailureOfARun() throws Exception
    {
        final int port;
        try (ServerSocket s = new ServerSocket(0))
        {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        final Throwable failure = catchThrowable(() -> LoadGenerator.run(new String[] {"--url",
            "http://127.0.0.1:" + port, "--app-id", "shop", "--files", "1", "--writers", "1", "--duration", "1", "--warmup", "0",
            "--no-limits"}, new PrintStream(new ByteArrayOutputStream())));
        assertThat(failure).isNotNull();
        assertThat(LoadGenerator.connectFailure(failure)).as("main prints one line for it, not a stack trace")
            .isNotNull();
    }

    @Test
    void shouldFindAConnectionFailureOnlyWhereThereIsOne()
    {
        final ConnectException refused = new ConnectException("Connection refused");
        assertThat(LoadGenerator.connectFailure(new IllegalStateException(new RuntimeException(refused))))
            .isSameAs(refused);
        assertThat(LoadGenerator.connectFailure(new IllegalStateException(new IOException("other")))).isNull();
    }
}
