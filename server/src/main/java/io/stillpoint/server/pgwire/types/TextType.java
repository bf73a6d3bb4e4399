package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/** text (OID 25): UTF-8 bytes in both formats. Java value {@link String}. */
public class TextType implements PgType {
    public static final TextType INSTANCE = new TextType();

    TextType() {}

    @Override public int oid() { return 25; }
    @Override public short typeLength() { return -1; }
    @Override public String typeName() { return "text"; }

    @Override
    public String encodeText(Object value) {
        return value.toString();
    }

    @Override
    public void writeText(ByteBuf out, Object value) {
        ByteBufUtil.writeUtf8(out, value.toString());
    }

    @Override
    public void writeBinary(ByteBuf out, Object value) {
        ByteBufUtil.writeUtf8(out, value.toString());
    }

    @Override
    public Object decodeText(String text) {
        return text;
    }

    @Override
    public Object decodeBinary(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
}
