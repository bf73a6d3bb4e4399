package io.stillpoint.server.pgwire.types;

/** varchar / character varying (OID 1043): UTF-8 bytes in both formats, like text. Java value {@link String}. */
public final class VarcharType extends TextType {
    public static final VarcharType INSTANCE = new VarcharType();

    private VarcharType() {}

    @Override public int oid() { return 1043; }
    @Override public String typeName() { return "character varying"; }
}
