package dev.outpost.server.realclient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A TCP proxy on 127.0.0.1 in front of a server that records what clients send on sync WebSockets: every complete
 * binary message (fragments joined, unmasked) of each upgraded connection, in order. Plain HTTP connections pass
 * through unrecorded. Bytes are forwarded as they arrive, so the client sees the real server. For capturing the fuzz
 * corpus from MongoDB's client ({@link FuzzCorpusCapture}); test thread plus two threads per connection.
 */
final class CapturingProxy implements AutoCloseable
{
    private final ServerSocket listener;
    private final int target;
    private final List<List<byte[]>> sessions = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());

    CapturingProxy(final int target) throws IOException
    {
        this.target = target;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final Thread accept = new Thread(this::acceptLoop, "capturing-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    int port()
    {
        return listener.getLocalPort();
    }

    /** @return the recorded sessions so far, one list of client messages per sync WebSocket, in connect order. */
    List<List<byte[]>> sessions()
    {
        synchronized (sessions)
        {
            final List<List<byte[]>> copy = new ArrayList<>();
            for (final List<byte[]> s : sessions)
            {
                synchronized (s)
                {
                    copy.add(new ArrayList<>(s));
                }
            }
            return copy;
        }
    }

    private void acceptLoop()
    {
        while (!listener.isClosed())
        {
            try
            {
                final Socket client = listener.accept();
                final Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5_000);
                sockets.add(client);
                sockets.add(server);
                final InputStream fromServer = server.getInputStream();
                final OutputStream toClient = client.getOutputStream();
                final InputStream fromClient = client.getInputStream();
                final OutputStream toServer = server.getOutputStream();
                start(() -> pump(fromServer, toClient, null, client));
                start(() -> pump(fromClient, toServer, new Recorder(), server));
            }
            catch (final IOException ex)
            {
                return;
            }
        }
    }

    private static void start(final Runnable task)
    {
        final Thread t = new Thread(task, "capturing-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void pump(final InputStream in, final OutputStream out, final Recorder recorder, final Socket peer)
    {
        final byte[] buffer = new byte[16 * 1024];
        try
        {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
            {
                out.write(buffer, 0, n);
                out.flush();
                if (null != recorder)
                {
                    recorder.feed(buffer, n);
                }
            }
        }
        catch (final IOException closed)
        {
            // either side went away
        }
        try
        {
            peer.shutdownOutput();
        }
        catch (final IOException ignore)
        {
            // already closed
        }
    }

    public void close() throws IOException
    {
        listener.close();
        synchronized (sockets)
        {
            for (final Socket s : sockets)
            {
                s.close();
            }
        }
    }

    /** Parses one client-to-server byte stream: the upgrade request, then masked WebSocket frames. */
    private final class Recorder
    {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private final ByteArrayOutputStream message = new ByteArrayOutputStream();
        private List<byte[]> session;
        private boolean headDone;
        private boolean ignore;

        void feed(final byte[] bytes, final int length)
        {
            if (ignore)
            {
                return;
            }
            pending.write(bytes, 0, length);
            byte[] data = pending.toByteArray();
            int at = 0;
            if (!headDone)
            {
                final String text = new String(data, StandardCharsets.ISO_8859_1);
                final int end = text.indexOf("\r\n\r\n");
                if (end < 0)
                {
                    return;
                }
                headDone = true;
                if (!text.substring(0, end).toLowerCase(Locale.ROOT).contains("upgrade: websocket"))
                {
                    ignore = true;
                    return;
                }
                session = Collections.synchronizedList(new ArrayList<>());
                sessions.add(session);
                at = end + 4;
            }
            while (true)
            {
                final int used = frame(data, at);
                if (used <= 0)
                {
                    break;
                }
                at += used;
            }
            pending.reset();
            pending.write(data, at, data.length - at);
        }

        /** @return bytes of one complete frame at {@code at} (recorded), or 0 if it is not complete yet. */
        private int frame(final byte[] data, final int at)
        {
            if (data.length - at < 2)
            {
                return 0;
            }
            final int b0 = data[at] & 0xFF;
            final int b1 = data[at + 1] & 0xFF;
            long length = b1 & 0x7F;
            int header = 2;
            if (length == 126)
            {
                if (data.length - at < 4)
                {
                    return 0;
                }
                length = ((data[at + 2] & 0xFF) << 8) | (data[at + 3] & 0xFF);
                header = 4;
            }
            else if (length == 127)
            {
                if (data.length - at < 10)
                {
                    return 0;
                }
                length = 0;
                for (int i = 0; i < 8; i++)
                {
                    length = (length << 8) | (data[at + 2 + i] & 0xFF);
                }
                header = 10;
            }
            final boolean masked = (b1 & 0x80) != 0;
            final int maskAt = at + header;
            if (masked)
            {
                header += 4;
            }
            if (data.length - at - header < length)
            {
                return 0;
            }
            final int opcode = b0 & 0x0F;
            if (opcode == 0 || opcode == 2)
            {
                for (int i = 0; i < length; i++)
                {
                    final byte b = data[at + header + i];
                    message.write(masked ? b ^ data[maskAt + (i & 3)] : b);
                }
                if ((b0 & 0x80) != 0)
                {
                    session.add(message.toByteArray());
                    message.reset();
                }
            }
            return (int)(header + length);
        }
    }
}
