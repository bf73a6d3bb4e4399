package io.stillpoint.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;

import java.util.List;

/**
 * Splits the client's byte stream into frames, with hard length limits, on the I/O thread. All typed frames that one
 * read completes travel on as one {@link Frames} batch (a single frame as itself).
 *
 * <p>A connection starts with <em>untyped</em> frames, {@code Int32 length (including itself), Int32 code, body}:
 * SSLRequest (80877103) and GSSENCRequest (80877104) keep the decoder in this mode (the client sends another
 * untyped frame after our 'N'); CancelRequest (80877102) and anything that is not a v3 StartupMessage end the
 * stream; a StartupMessage (code 3.x, 196608 for 3.0) switches to <em>typed</em> frames,
 * {@code Byte1 type, Int32 length (including itself), body}.
 *
 * <p>A length below the minimum, above the limit (10000 bytes for startup frames, as PostgreSQL;
 * {@code maxFrameLength} for typed bodies) or an unknown type byte ends framing with one
 * {@link Inbound.FramingError}; everything after it is discarded, so a garbage stream can neither allocate
 * a huge buffer nor be misread as messages.
 *
 * <p>TLS: when the server has a certificate, the first SSLRequest is answered here, on the I/O thread, with
 * {@code 'S'}, and Netty's SslHandler is inserted in front of this decoder before any further byte is read: the
 * client waits for the answer before it starts the handshake, so no handshake byte can reach the decoder. The
 * following untyped frames (the StartupMessage) then arrive decrypted. Without a certificate the SSLRequest is
 * passed on and the connection answers {@code 'N'}.
 */
final class PgFrameDecoder extends ByteToMessageDecoder {
    static final int SSL_REQUEST = 80877103;
    static final int GSSENC_REQUEST = 80877104;
    static final int CANCEL_REQUEST = 80877102;
    static final int PROTOCOL_MAJOR_3 = 3;
    /** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
    static final int MAX_STARTUP_LENGTH = 10_000;

    /** The frontend message types of protocol 3.0. */
    private static final boolean[] KNOWN_TYPES = new boolean[128];

    static {
        for (char c : "BCdcfDEHFPpQSX".toCharArray()) {
            KNOWN_TYPES[c] = true;
        }
    }

    private final int maxFrameLength;
    private final SslContext sslContext;
    private boolean tlsStarted;
    private boolean startupPhase = true;
    private boolean stopped;

    PgFrameDecoder(int maxFrameLength) {
        this(maxFrameLength, null);
    }

    /** @param sslContext the server's TLS context, or null to refuse TLS */
    PgFrameDecoder(int maxFrameLength, SslContext sslContext) {
        this.maxFrameLength = maxFrameLength;
        this.sslContext = sslContext;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (stopped) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (startupPhase) {
            decodeStartup(ctx, in, out);
        } else {
            decodeTyped(in, out);
        }
    }

    private void decodeStartup(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 8 || length > MAX_STARTUP_LENGTH) {
            fail(in, out, "invalid startup packet length [length=" + length + ", max=" + MAX_STARTUP_LENGTH + "]");
            return;
        }
        if (in.readableBytes() < length) {
            return;
        }
        in.skipBytes(4);
        int code = in.readInt();
        byte[] body = new byte[length - 8];
        in.readBytes(body);
        if (code == SSL_REQUEST && sslContext != null && !tlsStarted && body.length == 0) {
            tlsStarted = true;
            // 'S' goes out through the handlers in front of this one, before the SslHandler is among them.
            ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('S'));
            ctx.pipeline().addBefore(ctx.name(), "tls", sslContext.newHandler(ctx.alloc()));
            return;
        }
        out.add(new Inbound.StartupFrame(code, body));
        if (code == SSL_REQUEST || code == GSSENC_REQUEST) {
            return; // another untyped frame follows
        }
        if ((code >>> 16) == PROTOCOL_MAJOR_3 && code != CANCEL_REQUEST) {
            startupPhase = false;
        } else {
            stopped = true; // cancel or unsupported: the connection ends after this frame
            in.skipBytes(in.readableBytes());
        }
    }

    /**
     * Decodes every complete typed frame in {@code in} into one {@link Frames}: a pipelined batch (pgjdbc writes
     * hundreds of Bind/Execute pairs before it reads) then crosses the pipeline and the hand-off to the worker once
     * per read instead of once per message. A framing error ends the batch; the frames before it still count.
     */
    private void decodeTyped(ByteBuf in, List<Object> out) {
        Frames frames = null;
        while (true) {
            Inbound next = decodeOneTyped(in);
            if (next == null) {
                break;
            }
            if (next instanceof Inbound.FramingError) {
                if (frames != null) {
                    out.add(frames);
                }
                out.add(next);
                return;
            }
            if (frames == null) {
                frames = new Frames();
            }
            frames.add((Inbound.MessageFrame) next);
        }
        if (frames != null) {
            out.add(frames.size() == 1 ? frames.get(0) : frames);
        }
    }

    /** One typed frame, a FramingError (framing stops), or null if {@code in} does not hold a whole frame yet. */
    private Inbound decodeOneTyped(ByteBuf in) {
        if (stopped || in.readableBytes() < 1) {
            return null;
        }
        int start = in.readerIndex();
        byte type = in.getByte(start);
        if (type < 0 || !KNOWN_TYPES[type]) {
            return failure(in, "unknown message type [type=0x" + Integer.toHexString(type & 0xFF) + "]");
        }
        if (in.readableBytes() < 5) {
            return null;
        }
        int length = in.getInt(start + 1);
        if (length < 4) {
            return failure(in, "invalid message length [type=" + (char) type + ", length=" + length + "]");
        }
        if (length - 4 > maxFrameLength) {
            return failure(in, "message too large [type=" + (char) type + ", length=" + length + ", max=" + maxFrameLength + "]");
        }
        if (in.readableBytes() < 1 + length) {
            return null;
        }
        byte[] body = new byte[length - 4];
        in.getBytes(start + 5, body);
        in.readerIndex(start + 1 + length);
        return new Inbound.MessageFrame(type, body);
    }

    /**
     * The typed frames decoded from one read, in order, with their wire size (for the handler's flow control). Not
     * an {@link Inbound}: {@link PgConnectionHandler} unpacks it, the connection sees single frames only.
     */
    static final class Frames {
        private Inbound.MessageFrame[] items = new Inbound.MessageFrame[32];
        private int size;
        private long bytes;

        void add(Inbound.MessageFrame frame) {
            if (size == items.length) {
                items = java.util.Arrays.copyOf(items, size * 2);
            }
            items[size++] = frame;
            bytes += 5L + frame.body().length;
        }

        int size() {
            return size;
        }

        Inbound.MessageFrame get(int index) {
            return items[index];
        }

        /** Type bytes, length words and bodies of all frames. */
        long bytes() {
            return bytes;
        }

        /** A new batch of the frames from {@code index} on (the rest of a batch partly processed inline). */
        Frames from(int index) {
            Frames rest = new Frames();
            for (int i = index; i < size; i++) {
                rest.add(items[i]);
            }
            return rest;
        }
    }

    private void fail(ByteBuf in, List<Object> out, String message) {
        out.add(failure(in, message));
    }

    private Inbound.FramingError failure(ByteBuf in, String message) {
        stopped = true;
        in.skipBytes(in.readableBytes());
        return new Inbound.FramingError(message);
    }
}
