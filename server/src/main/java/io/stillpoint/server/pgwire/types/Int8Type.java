package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;

/** int8 / bigint (OID 20): decimal text; binary big-endian int64. Java value {@link Long}. */
public final class Int8Type implements PgType {
    public static final Int8Type INSTANCE = new Int8Type();

    private Int8Type() {}

    @Override public int oid() { return 20; }
    @Override public short typeLength() { return 8; }
    @Override public String typeName() { return "bigint"; }

    @Override
    public String encodeText(Object value) {
        return Long.toString(((Number) value).longValue());
    }

    @Override
    public void writeText(ByteBuf out, Object value) {
        AsciiDigits.writeLong(out, ((Number) value).longValue());
    }

    @Override
    public void writeBinary(ByteBuf out, Object value) {
        out.writeLong(((Number) value).longValue());
    }

    @Override
    public Object decodeText(String text) {
        return IntegerText.parse(text, typeName(), Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** Also accepts int2 and int4 (a client that declared a narrower type than the statement resolved). */
    @Override
    public Object decodeBinary(byte[] bytes, int offset, int length) {
        switch (length) {
            case 2: return (long) TypeErrors.int16(bytes, offset);
            case 4: return (long) TypeErrors.int32(bytes, offset);
            case 8: return TypeErrors.int64(bytes, offset);
            default: throw TypeErrors.invalidBinary(typeName(), length);
        }
    }
}
