package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;

/** int4 / integer (OID 23): decimal text; binary big-endian int32. Java value {@link Integer}. */
public final class Int4Type implements PgType {
    public static final Int4Type INSTANCE = new Int4Type();

    private Int4Type() {}

    @Override public int oid() { return 23; }
    @Override public short typeLength() { return 4; }
    @Override public String typeName() { return "integer"; }

    @Override
    public String encodeText(Object value) {
        return Integer.toString(((Number) value).intValue());
    }

    @Override
    public void writeText(ByteBuf out, Object value) {
        AsciiDigits.writeLong(out, ((Number) value).intValue());
    }

    @Override
    public void writeBinary(ByteBuf out, Object value) {
        out.writeInt(((Number) value).intValue());
    }

    @Override
    public Object decodeText(String text) {
        return (int) IntegerText.parse(text, typeName(), Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** Also accepts an int2 (a client that declared a narrower type than the statement resolved). */
    @Override
    public Object decodeBinary(byte[] bytes, int offset, int length) {
        if (length == 2) {
            return (int) TypeErrors.int16(bytes, offset);
        }
        TypeErrors.expectLength(typeName(), length, 4);
        return TypeErrors.int32(bytes, offset);
    }
}
