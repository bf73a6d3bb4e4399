package io.stillpoint.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test helpers: frontend messages as a client writes them, and backend messages split from the server's bytes. */
final class Wire {
    private Wire() {}

    /** One backend message: type and body (without type and length). */
    record Msg(char type, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The value of an ErrorResponse field (C, M, S, P...), or null. */
        String errorField(char code) {
            int i = 0;
            while (i < body.length && body[i] != 0) {
                char c = (char) body[i];
                int end = i + 1;
                while (body[end] != 0) {
                    end++;
                }
                if (c == code) {
                    return new String(body, i + 1, end - i - 1, StandardCharsets.UTF_8);
                }
                i = end + 1;
            }
            return null;
        }
    }

    static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Builder b(int... bytes) {
            for (int x : bytes) {
                out.write(x);
            }
            return this;
        }

        Builder i16(int v) {
            return b(v >>> 8, v);
        }

        Builder i32(int v) {
            return b(v >>> 24, v >>> 16, v >>> 8, v);
        }

        Builder bytes(byte[] bs) {
            out.writeBytes(bs);
            return this;
        }

        Builder cstr(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
            return this;
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    static Builder builder() {
        return new Builder();
    }

    /** A typed message: type, Int32 length including itself, body. */
    static byte[] typed(char type, byte[] body) {
        return builder().b(type).i32(body.length + 4).bytes(body).toBytes();
    }

    static byte[] untyped(int code, byte[] body) {
        return builder().i32(body.length + 8).i32(code).bytes(body).toBytes();
    }

    static byte[] sslRequest() {
        return untyped(80877103, new byte[0]);
    }

    static byte[] startup(Map<String, String> options) {
        Builder b = builder();
        options.forEach((k, v) -> b.cstr(k).cstr(v));
        b.b(0);
        return untyped(196608, b.toBytes());
    }

    static byte[] password(String password) {
        return typed('p', builder().cstr(password).toBytes());
    }

    static byte[] saslInitial(String mechanism, String clientFirst) {
        byte[] data = clientFirst.getBytes(StandardCharsets.UTF_8);
        return typed('p', builder().cstr(mechanism).i32(data.length).bytes(data).toBytes());
    }

    static byte[] saslResponse(String clientFinal) {
        return typed('p', clientFinal.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] query(String sql) {
        return typed('Q', builder().cstr(sql).toBytes());
    }

    static byte[] parse(String name, String sql, int... oids) {
        Builder b = builder().cstr(name).cstr(sql).i16(oids.length);
        for (int oid : oids) {
            b.i32(oid);
        }
        return typed('P', b.toBytes());
    }

    /** Bind with one format code per parameter and the given result format codes. */
    static byte[] bind(String portal, String statement, short[] paramFormats, byte[][] params, short... resultFormats) {
        Builder b = builder().cstr(portal).cstr(statement).i16(paramFormats.length);
        for (short f : paramFormats) {
            b.i16(f);
        }
        b.i16(params.length);
        for (byte[] p : params) {
            if (p == null) {
                b.i32(-1);
            } else {
                b.i32(p.length).bytes(p);
            }
        }
        b.i16(resultFormats.length);
        for (short f : resultFormats) {
            b.i16(f);
        }
        return typed('B', b.toBytes());
    }

    static byte[] describe(char kind, String name) {
        return typed('D', builder().b(kind).cstr(name).toBytes());
    }

    static byte[] execute(String portal, int maxRows) {
        return typed('E', builder().cstr(portal).i32(maxRows).toBytes());
    }

    static byte[] close(char kind, String name) {
        return typed('C', builder().b(kind).cstr(name).toBytes());
    }

    static byte[] sync() {
        return typed('S', new byte[0]);
    }

    static byte[] flush() {
        return typed('H', new byte[0]);
    }

    static byte[] terminate() {
        return typed('X', new byte[0]);
    }

    static byte[] concat(byte[]... parts) {
        Builder b = builder();
        for (byte[] p : parts) {
            b.bytes(p);
        }
        return b.toBytes();
    }

    /** Writes client bytes into the channel. */
    static void send(EmbeddedChannel ch, byte[]... parts) {
        ch.writeInbound(Unpooled.wrappedBuffer(concat(parts)));
    }

    /** Everything the server wrote so far. */
    static byte[] received(EmbeddedChannel ch) {
        ch.runPendingTasks();
        ByteArrayOutputStream acc = new ByteArrayOutputStream();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) o;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            acc.writeBytes(bytes);
        }
        return acc.toByteArray();
    }

    /** Splits typed backend messages. */
    static List<Msg> messages(byte[] bytes) {
        List<Msg> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            char type = (char) b.get();
            int len = b.getInt();
            byte[] body = new byte[len - 4];
            b.get(body);
            out.add(new Msg(type, body));
        }
        return out;
    }

    static String types(List<Msg> messages) {
        StringBuilder sb = new StringBuilder();
        for (Msg m : messages) {
            sb.append(m.type());
        }
        return sb.toString();
    }
}
