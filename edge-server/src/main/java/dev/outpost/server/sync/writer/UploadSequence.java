package dev.outpost.server.sync.writer;

/**
 * The pipelined UPLOADs of one session, writer side: once one of them is refused (or fails), the later ones already
 * handed over are not integrated (the refusal's error ends the session). The session creates one and passes it with
 * every upload; only the writer thread reads or writes it.
 */
public final class UploadSequence
{
    boolean rejected;
}
