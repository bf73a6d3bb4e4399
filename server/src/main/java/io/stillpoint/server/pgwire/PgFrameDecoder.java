package io.stillpoint.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;

import java.util.List;

/**
 * Splits the client's byte stream into frames, with hard length limits, on the I/O thread.
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

    private void decodeTyped(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 1) {
            return;
        }
        int start = in.readerIndex();
        byte type = in.getByte(start);
        if (type < 0 || !KNOWN_TYPES[type]) {
            fail(in, out, "unknown message type [type=0x" + Integer.toHexString(type & 0xFF) + "]");
            return;
        }
        if (in.readableBytes() < 5) {
            return;
        }
        int length = in.getInt(start + 1);
        if (length < 4) {
            fail(in, out, "invalid message length [type=" + (char) type + ", length=" + length + "]");
            return;
        }
        if (length - 4 > maxFrameLength) {
            fail(in, out, "message too large [type=" + (char) type + ", length=" + length + ", max=" + maxFrameLength + "]");
            return;
        }
        if (in.readableBytes() < 1 + length) {
            return;
        }
        in.skipBytes(5);
        byte[] body = new byte[length - 4];
        in.readBytes(body);
        out.add(new Inbound.MessageFrame(type, body));
    }

    private void fail(ByteBuf in, List<Object> out, String message) {
        stopped = true;
        in.skipBytes(in.readableBytes());
        out.add(new Inbound.FramingError(message));
    }
}
