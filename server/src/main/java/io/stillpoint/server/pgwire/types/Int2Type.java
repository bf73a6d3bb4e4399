package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;

/** int2 / smallint (OID 21): decimal text; binary big-endian int16. Java value {@link Short}. */
public final class Int2Type implements PgType {
    public static final Int2Type INSTANCE = new Int2Type();

    private Int2Type() {}

    @Override public int oid() { return 21; }
    @Override public short typeLength() { return 2; }
    @Override public String typeName() { return "smallint"; }

    @Override
    public String encodeText(Object value) {
        return Short.toString(((Number) value).shortValue());
    }

    @Override
    public void writeText(ByteBuf out, Object value) {
        AsciiDigits.writeLong(out, ((Number) value).shortValue());
    }

    @Override
    public void writeBinary(ByteBuf out, Object value) {
        out.writeShort(((Number) value).shortValue());
    }

    @Override
    public Object decodeText(String text) {
        return (short) IntegerText.parse(text, typeName(), Short.MIN_VALUE, Short.MAX_VALUE);
    }

    @Override
    public Object decodeBinary(byte[] bytes, int offset, int length) {
        TypeErrors.expectLength(typeName(), length, 2);
        return TypeErrors.int16(bytes, offset);
    }
}
