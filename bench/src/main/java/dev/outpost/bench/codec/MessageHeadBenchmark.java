package dev.outpost.bench.codec;

import java.util.concurrent.TimeUnit;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.message.ClientMessageDecoder;
import dev.outpost.codec.message.ClientMessageEncoder;
import dev.outpost.codec.message.ServerMessageDecoder;
import dev.outpost.codec.message.ServerMessageEncoder;

/**
 * Decode and encode of the hot heads (UPLOAD, DOWNLOAD FLX v14, IDENT) with realistic field widths. The baseline
 * scans the UPLOAD head for its newline: the least any parser must do. Run with {@code -prof gc}: decode and
 * encode must show ~0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class MessageHeadBenchmark
{
    private static final long SALT = 5862301449713302016L;

    private final ClientMessageDecoder clientDecoder = new ClientMessageDecoder();
    private final ServerMessageDecoder serverDecoder = new ServerMessageDecoder().flx(true).protocolVersion(14);
    private final ClientMessageEncoder clientEncoder = new ClientMessageEncoder();
    private final ServerMessageEncoder serverEncoder = new ServerMessageEncoder().flx(true).protocolVersion(14);
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
    private final UnsafeBuffer body = new UnsafeBuffer(new byte[1000]);

    private UnsafeBuffer upload;
    private int uploadLength;
    private UnsafeBuffer download;
    private int downloadLength;
    private UnsafeBuffer ident;
    private int identLength;

    @Setup
    public void setup()
    {
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(2048);
        uploadLength = clientEncoder.upload(b, 0, 3, true, 48213, 1874, 933, 931, body, 0, 1000);
        upload = new UnsafeBuffer(b.byteArray().clone());
        final ExpandableArrayBuffer d = new ExpandableArrayBuffer(2048);
        downloadLength = serverEncoder.download(d, 0, 3, 1_204_332, 1874, 1_204_332, SALT, 1874, 933, 0, 12, 2,
            0.25, true, 48213, body, 0, 1000);
        download = new UnsafeBuffer(d.byteArray().clone());
        final ExpandableArrayBuffer i = new ExpandableArrayBuffer(256);
        identLength = clientEncoder.ident(i, 0, 3, 117, SALT, 1_204_332, 1874, 1_204_332, SALT, 0, null, 0, 0);
        ident = new UnsafeBuffer(i.byteArray().clone());
    }

    @Benchmark
    public int baselineScanUploadHead()
    {
        int i = 0;
        while (upload.getByte(i) != '\n')
        {
            i++;
        }
        return i;
    }

    @Benchmark
    public long decodeUpload() throws CodecException
    {
        final ClientMessageDecoder d = clientDecoder.wrap(upload, 0, uploadLength);
        return d.sessionIdent() + d.uncompressedBodySize() + d.progressClientVersion() + d.lockedServerVersion() +
            d.bodyOffset();
    }

    @Benchmark
    public long decodeDownload() throws CodecException
    {
        final ServerMessageDecoder d = serverDecoder.wrap(download, 0, downloadLength);
        return d.downloadServerVersion() + d.latestServerVersionSalt() + d.queryVersion() +
            (long)d.progressEstimate() + d.bodyOffset();
    }

    @Benchmark
    public long decodeIdent() throws CodecException
    {
        final ClientMessageDecoder d = clientDecoder.wrap(ident, 0, identLength);
        return d.clientFileIdent() + d.clientFileIdentSalt() + d.latestServerVersionSalt();
    }

    @Benchmark
    public int encodeUploadHead()
    {
        return clientEncoder.upload(out, 0, 3, true, 48213, 1874, 933, 931, body, 0, 0);
    }

    @Benchmark
    public int encodeDownloadHead()
    {
        return serverEncoder.download(out, 0, 3, 1_204_332, 1874, 1_204_332, SALT, 1874, 933, 0, 12, 2, 0.25, true,
            48213, body, 0, 0);
    }

    @Benchmark
    public int encodeIdent()
    {
        return clientEncoder.ident(out, 0, 3, 117, SALT, 1_204_332, 1874, 1_204_332, SALT, 0, null, 0, 0);
    }
}
