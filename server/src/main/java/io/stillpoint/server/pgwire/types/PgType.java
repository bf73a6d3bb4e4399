package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/**
 * The wire codec of one PostgreSQL type: its OID and {@code typlen} for RowDescription, and the text (format 0)
 * and binary (format 1) representations in both directions. Values are the Java types documented in
 * {@link io.stillpoint.server.exec.DataType}; NULL never reaches a codec (the wire encodes it as length -1).
 *
 * <p>Decoding bad input throws {@link io.stillpoint.server.exec.SqlError} with SQLSTATE 22P02 (bad text),
 * 22003 (out of range) or 22P03 (bad binary), so the protocol layer can report it and skip to Sync.
 */
public interface PgType {

    /** The type's OID in pg_type. */
    int oid();

    /** pg_type.typlen as RowDescription announces it: the fixed size in bytes, -1 for varlena, -2 for cstring. */
    short typeLength();

    /** The SQL name used in error messages, e.g. {@code integer}. */
    String typeName();

    /** The text representation PostgreSQL's output function would produce. */
    String encodeText(Object value);

    /** Appends the text representation as UTF-8 (without a length prefix). */
    default void writeText(ByteBuf out, Object value) {
        ByteBufUtil.writeUtf8(out, encodeText(value));
    }

    /** Appends the binary representation (PostgreSQL's send function), without a length prefix. */
    void writeBinary(ByteBuf out, Object value);

    /** Parses the text representation (PostgreSQL's input function). */
    Object decodeText(String text);

    /** Parses {@code length} bytes of binary representation (PostgreSQL's receive function) at {@code offset}. */
    Object decodeBinary(byte[] bytes, int offset, int length);

    /** Parses a UTF-8 text value straight from a message body. */
    default Object decodeText(byte[] bytes, int offset, int length) {
        return decodeText(new String(bytes, offset, length, StandardCharsets.UTF_8));
    }
}
