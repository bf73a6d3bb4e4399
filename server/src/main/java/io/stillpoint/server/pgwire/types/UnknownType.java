package io.stillpoint.server.pgwire.types;

/**
 * unknown (OID 705): a literal or parameter whose type is not decided. Its value is the client's text, kept as a
 * {@link String} for the executor to interpret; the binary form of unknown is the same UTF-8 text.
 * typlen is -2 (cstring-like), as pg_type says.
 */
public final class UnknownType extends TextType {
    public static final UnknownType INSTANCE = new UnknownType();

    private UnknownType() {}

    @Override public int oid() { return 705; }
    @Override public short typeLength() { return -2; }
    @Override public String typeName() { return "unknown"; }
}
