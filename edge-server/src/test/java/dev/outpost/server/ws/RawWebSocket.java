package dev.outpost.server.ws;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal RFC 6455 client over a plain socket, so tests see the handshake bytes exactly as sent (status line and
 * every header occurrence) and can send frames a browser-grade client would refuse to (text, fragments).
 */
public final class RawWebSocket implements AutoCloseable
{
    public static final int TEXT = 1;
    public static final int BINARY = 2;
    public static final int CONTINUATION = 0;
    public static final int CLOSE = 8;
    public static final int PING = 9;
    public static final int PONG = 10;

    public final int status;
    final Map<String, List<String>> headers;
    final String body;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();

    private RawWebSocket(final int status, final Map<String, List<String>> headers, final String body,
        final Socket socket, final DataInputStream in)
        throws IOException
    {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
    }

    public static RawWebSocket connect(final int port, final String target, final String... subprotocols)
        throws IOException
    {
        return connect(port, 0, target, subprotocols);
    }

    /** @param receiveBuffer SO_RCVBUF of the client's socket (a small one makes the server's writes wait), 0: default. */
    public static RawWebSocket connect(final int port, final int receiveBuffer, final String target,
        final String... subprotocols) throws IOException
    {
        final Socket socket = new Socket();
        if (receiveBuffer > 0)
        {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        final byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        final StringBuilder request = new StringBuilder()
            .append("GET ").append(target).append(" HTTP/1.1\r\n")
            .append("Host: 127.0.0.1:").append(port).append("\r\n")
            .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
            .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(key)).append("\r\n")
            .append("Sec-WebSocket-Version: 13\r\n")
            .append("User-Agent: RealmSync/14.12.0 (test)\r\n");
        if (subprotocols.length > 0)
        {
            request.append("Sec-WebSocket-Protocol: ").append(String.join(", ", subprotocols)).append("\r\n");
        }
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();

        final DataInputStream in = new DataInputStream(socket.getInputStream());
        final String statusLine = readLine(in);
        final int status = Integer.parseInt(statusLine.split(" ")[1]);
        final Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in))
        {
            final int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(line.substring(colon + 1).trim());
        }
        String body = "";
        if (status != 101 && headers.containsKey("content-length"))
        {
            final byte[] bytes = new byte[Integer.parseInt(headers.get("content-length").get(0))];
            in.readFully(bytes);
            body = new String(bytes, StandardCharsets.UTF_8);
        }
        return new RawWebSocket(status, headers, body, socket, in);
    }

    List<String> header(final String name)
    {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    public synchronized void send(final int opcode, final boolean fin, final byte[] payload) throws IOException
    {
        final ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126)
        {
            frame.write(0x80 | payload.length);
        }
        else if (payload.length < 65536)
        {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        }
        else
        {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8)
            {
                frame.write((int)((long)payload.length >>> shift));
            }
        }
        final byte[] mask = new byte[4];
        random.nextBytes(mask);
        frame.write(mask);
        final byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++)
        {
            masked[i] = (byte)(payload[i] ^ mask[i & 3]);
        }
        frame.write(masked);
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Write bytes as they are, no framing (a broken peer's garbage, or a frame built by hand). */
    public synchronized void sendUnframed(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /** @param ms how long {@link #read()} waits for bytes before a {@link java.net.SocketTimeoutException}. */
    public void readTimeout(final int ms) throws IOException
    {
        socket.setSoTimeout(ms);
    }

    void sendBinary(final String text) throws IOException
    {
        send(BINARY, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @return the next frame from the server (servers do not mask).
     */
    public Frame read() throws IOException
    {
        final int b0 = in.readUnsignedByte();
        final int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126)
        {
            length = in.readUnsignedShort();
        }
        else if (length == 127)
        {
            length = in.readLong();
        }
        final byte[] payload = new byte[(int)length];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, (b0 & 0x80) != 0, payload);
    }

    /**
     * @return the close code the server sent, skipping other frames; -1 if the connection ended without one.
     */
    int readCloseCode() throws IOException
    {
        while (true)
        {
            final Frame frame;
            try
            {
                frame = read();
            }
            catch (final IOException ex)
            {
                return -1;
            }
            if (frame.opcode == CLOSE)
            {
                return frame.payload.length >= 2 ? ((frame.payload[0] & 0xFF) << 8) | (frame.payload[1] & 0xFF) : 1005;
            }
        }
    }

    public void close() throws IOException
    {
        socket.close();
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read())
        {
            if (c < 0)
            {
                throw new IOException("connection closed during the handshake");
            }
            if (c != '\r')
            {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    public record Frame(int opcode, boolean fin, byte[] payload)
    {
        String text()
        {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }
}
