package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** float4 / real (OID 700): shortest round-trip text (see {@link FloatText}); binary IEEE 754 int32. */
public final class Float4Type implements PgType {
    public static final Float4Type INSTANCE = new Float4Type();

    private Float4Type() {}

    @Override public int oid() { return 700; }
    @Override public short typeLength() { return 4; }
    @Override public String typeName() { return "real"; }

    @Override
    public String encodeText(Object value) {
        float f = ((Number) value).floatValue();
        return FloatText.format(f, Float.toString(f), 6);
    }

    @Override
    public void writeText(ByteBuf out, Object value) {
        ByteBufUtil.writeAscii(out, encodeText(value));
    }

    @Override
    public void writeBinary(ByteBuf out, Object value) {
        out.writeFloat(((Number) value).floatValue());
    }

    @Override
    public Object decodeText(String text) {
        return FloatText.parseFloat(text, typeName());
    }

    @Override
    public Object decodeBinary(byte[] bytes, int offset, int length) {
        TypeErrors.expectLength(typeName(), length, 4);
        return Float.intBitsToFloat(TypeErrors.int32(bytes, offset));
    }
}
