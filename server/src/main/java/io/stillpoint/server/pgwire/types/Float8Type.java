package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** float8 / double precision (OID 701): shortest round-trip text (see {@link FloatText}); binary IEEE 754 int64. */
public final class Float8Type implements PgType {
    public static final Float8Type INSTANCE = new Float8Type();

    private Float8Type() {}

    @Override public int oid() { return 701; }
    @Override public short typeLength() { return 8; }
    @Override public String typeName() { return "double precision"; }

    @Override
    public String encodeText(Object value) {
        double d = ((Number) value).doubleValue();
        return FloatText.format(d, Double.toString(d), 15);
    }

    @Override
    public void writeText(ByteBuf out, Object value) {
        ByteBufUtil.writeAscii(out, encodeText(value));
    }

    @Override
    public void writeBinary(ByteBuf out, Object value) {
        out.writeDouble(((Number) value).doubleValue());
    }

    @Override
    public Object decodeText(String text) {
        return FloatText.parse(text, typeName());
    }

    /** Also accepts a float4 (a client that declared a narrower type than the statement resolved). */
    @Override
    public Object decodeBinary(byte[] bytes, int offset, int length) {
        if (length == 4) {
            return (double) Float.intBitsToFloat(TypeErrors.int32(bytes, offset));
        }
        TypeErrors.expectLength(typeName(), length, 8);
        return Double.longBitsToDouble(TypeErrors.int64(bytes, offset));
    }
}
