package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;
import io.stillpoint.sql.IntervalValue;

/**
 * interval (OID 1186). Java value: {@link IntervalValue} (months, days, microseconds). Text: PostgreSQL's output
 * in the default {@code IntervalStyle = postgres} ({@code 1 day 02:00:00}, {@code -1 days +02:03:00},
 * {@code 1 year 2 mons}, {@code 00:00:00.5}); input as PostgreSQL's interval input (unit lists, time fields, ISO
 * 8601), 22007 when malformed and 22015 when a field overflows. Binary (integer_datetimes=on, as pgjdbc's PGInterval
 * reads it): Int64 microseconds, Int32 days, Int32 months.
 */
public final class IntervalType implements PgType {
    public static final IntervalType INSTANCE = new IntervalType();

    private IntervalType() {}

    @Override public int oid() { return 1186; }
    @Override public short typeLength() { return 16; }
    @Override public String typeName() { return "interval"; }

    @Override
    public String encodeText(Object value) {
        return value.toString();
    }

    @Override
    public void writeBinary(ByteBuf out, Object value) {
        IntervalValue v = (IntervalValue) value;
        out.writeLong(v.micros());
        out.writeInt(v.days());
        out.writeInt(v.months());
    }

    @Override
    public Object decodeText(String text) {
        return io.stillpoint.server.exec.Values.parseInterval(text); // the SQLSTATEs of every interval input
    }

    @Override
    public Object decodeBinary(byte[] bytes, int offset, int length) {
        TypeErrors.expectLength(typeName(), length, 16);
        return new IntervalValue(TypeErrors.int32(bytes, offset + 12), TypeErrors.int32(bytes, offset + 8),
                TypeErrors.int64(bytes, offset));
    }
}
