package io.stillpoint.server.pgwire.types;

import io.stillpoint.server.exec.DataType;

/** The codec of each {@link DataType}. */
public final class PgTypes {
    private static final PgType[] BY_DATA_TYPE = new PgType[DataType.values().length];

    static {
        register(DataType.BOOL, BoolType.INSTANCE);
        register(DataType.INT2, Int2Type.INSTANCE);
        register(DataType.INT4, Int4Type.INSTANCE);
        register(DataType.INT8, Int8Type.INSTANCE);
        register(DataType.FLOAT4, Float4Type.INSTANCE);
        register(DataType.FLOAT8, Float8Type.INSTANCE);
        register(DataType.NUMERIC, NumericType.INSTANCE);
        register(DataType.TEXT, TextType.INSTANCE);
        register(DataType.VARCHAR, VarcharType.INSTANCE);
        register(DataType.TIMESTAMP, TimestampType.INSTANCE);
        register(DataType.INTERVAL, IntervalType.INSTANCE);
        register(DataType.UNKNOWN, UnknownType.INSTANCE);
    }

    private PgTypes() {}

    private static void register(DataType type, PgType codec) {
        if (type.oid() != codec.oid()) {
            throw new IllegalStateException("codec oid mismatch [type=" + type + ", oid=" + codec.oid() + "]");
        }
        BY_DATA_TYPE[type.ordinal()] = codec;
    }

    /** The codec for a type; null (no type) gives the unknown codec. */
    public static PgType of(DataType type) {
        return type == null ? UnknownType.INSTANCE : BY_DATA_TYPE[type.ordinal()];
    }
}
