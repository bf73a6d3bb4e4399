package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;

import java.util.Locale;

/** bool (OID 16): text {@code t}/{@code f}; binary one byte 1/0. Accepts PostgreSQL's input spellings. */
public final class BoolType implements PgType {
    public static final BoolType INSTANCE = new BoolType();

    private BoolType() {}

    @Override public int oid() { return 16; }
    @Override public short typeLength() { return 1; }
    @Override public String typeName() { return "boolean"; }

    @Override
    public String encodeText(Object value) {
        return ((Boolean) value) ? "t" : "f";
    }

    @Override
    public void writeText(ByteBuf out, Object value) {
        out.writeByte(((Boolean) value) ? 't' : 'f');
    }

    @Override
    public void writeBinary(ByteBuf out, Object value) {
        out.writeByte(((Boolean) value) ? 1 : 0);
    }

    /** Like boolin: true/yes/on/1 and false/no/off/0, any unique prefix of the words, any case, trimmed. */
    @Override
    public Object decodeText(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (!s.isEmpty()) {
            if ("true".startsWith(s) || "yes".startsWith(s) || s.equals("on") || s.equals("1")) {
                return Boolean.TRUE;
            }
            if ("false".startsWith(s) || "no".startsWith(s) || s.equals("off") || s.equals("of") || s.equals("0")) {
                return Boolean.FALSE;
            }
        }
        throw TypeErrors.invalidText(typeName(), text);
    }

    @Override
    public Object decodeBinary(byte[] bytes, int offset, int length) {
        TypeErrors.expectLength(typeName(), length, 1);
        return bytes[offset] != 0;
    }
}
