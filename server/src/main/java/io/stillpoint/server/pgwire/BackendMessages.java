package io.stillpoint.server.pgwire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.stillpoint.server.exec.ResultColumn;
import io.stillpoint.server.pgwire.types.PgType;
import io.stillpoint.server.pgwire.types.PgTypes;

import java.util.List;

/**
 * The backend messages of protocol v3, one method each, appended to a buffer that the connection flushes at
 * Sync, at the end of a Query, on Flush, or when it grows large. Layouts follow the PostgreSQL documentation
 * (Frontend/Backend Protocol, Message Formats); every {@code Int32 len} counts itself but not the type byte.
 */
final class BackendMessages {
    private BackendMessages() {}

    /** Writes a length placeholder after the type byte; {@link #endMessage} fills it in. */
    private static int startMessage(ByteBuf out, char type) {
        out.writeByte(type);
        int lengthIndex = out.writerIndex();
        out.writeInt(0);
        return lengthIndex;
    }

    private static void endMessage(ByteBuf out, int lengthIndex) {
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex);
    }

    private static void writeCString(ByteBuf out, String s) {
        ByteBufUtil.writeUtf8(out, s);
        out.writeByte(0);
    }

    /** Answer to SSLRequest/GSSENCRequest: the single untyped byte {@code 'N'} (not supported, go on in plain text). */
    static void encryptionRefused(ByteBuf out) {
        out.writeByte('N');
    }

    /** AuthenticationOk: {@code 'R', Int32 8, Int32 0}. */
    static void authenticationOk(ByteBuf out) {
        out.writeByte('R').writeInt(8).writeInt(0);
    }

    /** AuthenticationCleartextPassword: {@code 'R', Int32 8, Int32 3}. */
    static void authenticationCleartextPassword(ByteBuf out) {
        out.writeByte('R').writeInt(8).writeInt(3);
    }

    /** AuthenticationSASL: {@code 'R', Int32 len, Int32 10, String mechanism..., Byte1 0} (the list ends with an empty name). */
    static void authenticationSasl(ByteBuf out, List<String> mechanisms) {
        int len = startMessage(out, 'R');
        out.writeInt(10);
        for (String m : mechanisms) {
            writeCString(out, m);
        }
        out.writeByte(0);
        endMessage(out, len);
    }

    /** AuthenticationSASLContinue: {@code 'R', Int32 len, Int32 11, Byte[n] server-first-message}. */
    static void authenticationSaslContinue(ByteBuf out, byte[] data) {
        out.writeByte('R').writeInt(8 + data.length).writeInt(11).writeBytes(data);
    }

    /** AuthenticationSASLFinal: {@code 'R', Int32 len, Int32 12, Byte[n] server-final-message}. */
    static void authenticationSaslFinal(ByteBuf out, byte[] data) {
        out.writeByte('R').writeInt(8 + data.length).writeInt(12).writeBytes(data);
    }

    /** ParameterStatus: {@code 'S', Int32 len, String name, String value}. */
    static void parameterStatus(ByteBuf out, String name, String value) {
        int len = startMessage(out, 'S');
        writeCString(out, name);
        writeCString(out, value);
        endMessage(out, len);
    }

    /** BackendKeyData: {@code 'K', Int32 12, Int32 process id, Int32 secret key} (what a CancelRequest must quote). */
    static void backendKeyData(ByteBuf out, int processId, int secretKey) {
        out.writeByte('K').writeInt(12).writeInt(processId).writeInt(secretKey);
    }

    /** NegotiateProtocolVersion: {@code 'v', Int32 len, Int32 newest minor version supported, Int32 n, String option[n]}. */
    static void negotiateProtocolVersion(ByteBuf out, int minorVersion, List<String> unsupportedOptions) {
        int len = startMessage(out, 'v');
        out.writeInt(minorVersion);
        out.writeInt(unsupportedOptions.size());
        for (String o : unsupportedOptions) {
            writeCString(out, o);
        }
        endMessage(out, len);
    }

    /** ReadyForQuery: {@code 'Z', Int32 5, Byte1 status} with status 'I' idle, 'T' in a block, 'E' failed block. */
    static void readyForQuery(ByteBuf out, char status) {
        out.writeByte('Z').writeInt(5).writeByte(status);
    }

    /**
     * ErrorResponse: {@code 'E', Int32 len, (Byte1 field code, String value)*, Byte1 0}, fields S (severity),
     * V (severity, never localized), C (SQLSTATE), M (message), P (1-based position in the query, only when > 0).
     */
    static void errorResponse(ByteBuf out, String severity, String sqlState, String message, int position) {
        errorResponse(out, severity, sqlState, message, position, null);
    }

    /**
     * ErrorResponse as above, plus R (PostgreSQL's routine name) after P when {@code routine} is not null: only for
     * the errors clients recognise by it, e.g. {@code RevalidateCachedQuery}.
     */
    static void errorResponse(ByteBuf out, String severity, String sqlState, String message, int position,
                              String routine) {
        int len = startMessage(out, 'E');
        out.writeByte('S');
        writeCString(out, severity);
        out.writeByte('V');
        writeCString(out, severity);
        out.writeByte('C');
        writeCString(out, sqlState);
        out.writeByte('M');
        writeCString(out, message == null ? "" : message);
        if (position > 0) {
            out.writeByte('P');
            writeCString(out, Integer.toString(position));
        }
        if (routine != null) {
            out.writeByte('R');
            writeCString(out, routine);
        }
        out.writeByte(0);
        endMessage(out, len);
    }

    /**
     * RowDescription: {@code 'T', Int32 len, Int16 n}, then per field {@code String name, Int32 table OID (0),
     * Int16 column number (0), Int32 type OID, Int16 typlen, Int32 typmod (-1), Int16 format (0 text, 1 binary)}.
     *
     * @param formats per-column format codes (null: all text)
     */
    static void rowDescription(ByteBuf out, List<ResultColumn> columns, short[] formats) {
        int len = startMessage(out, 'T');
        out.writeShort(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            ResultColumn c = columns.get(i);
            PgType type = PgTypes.of(c.type());
            writeCString(out, c.name());
            out.writeInt(0);
            out.writeShort(0);
            out.writeInt(type.oid());
            out.writeShort(type.typeLength());
            out.writeInt(-1);
            out.writeShort(formats == null ? 0 : formats[i]);
        }
        endMessage(out, len);
    }

    /**
     * DataRow: {@code 'D', Int32 len, Int16 n}, then per column {@code Int32 value length (-1 for NULL), Byte[n] value}
     * in the column's format (text: the output function's UTF-8; binary: the send function's bytes).
     *
     * @param types   per-column codec
     * @param formats per-column format codes (null: all text)
     */
    static void dataRow(ByteBuf out, Object[] row, PgType[] types, short[] formats) {
        int start = out.writerIndex();
        try {
            int len = startMessage(out, 'D');
            out.writeShort(types.length);
            for (int i = 0; i < types.length; i++) {
                Object value = i < row.length ? row[i] : null;
                if (value == null) {
                    out.writeInt(-1);
                    continue;
                }
                int valueLength = out.writerIndex();
                out.writeInt(0);
                if (formats != null && formats[i] == 1) {
                    types[i].writeBinary(out, value);
                } else {
                    types[i].writeText(out, value);
                }
                out.setInt(valueLength, out.writerIndex() - valueLength - 4);
            }
            endMessage(out, len);
        } catch (RuntimeException e) {
            out.writerIndex(start); // a value that cannot be encoded must not leave half a message behind
            throw e;
        }
    }

    /** CommandComplete: {@code 'C', Int32 len, String tag} (e.g. {@code SELECT 3}, {@code INSERT 0 1}, {@code BEGIN}). */
    static void commandComplete(ByteBuf out, String tag) {
        int len = startMessage(out, 'C');
        writeCString(out, tag);
        endMessage(out, len);
    }

    /** EmptyQueryResponse: {@code 'I', Int32 4}; replaces CommandComplete for an empty query string. */
    static void emptyQueryResponse(ByteBuf out) {
        out.writeByte('I').writeInt(4);
    }

    /** ParseComplete: {@code '1', Int32 4}. */
    static void parseComplete(ByteBuf out) {
        out.writeByte('1').writeInt(4);
    }

    /** BindComplete: {@code '2', Int32 4}. */
    static void bindComplete(ByteBuf out) {
        out.writeByte('2').writeInt(4);
    }

    /** CloseComplete: {@code '3', Int32 4}. */
    static void closeComplete(ByteBuf out) {
        out.writeByte('3').writeInt(4);
    }

    /** NoData: {@code 'n', Int32 4}; Describe's answer for a statement that returns no rows. */
    static void noData(ByteBuf out) {
        out.writeByte('n').writeInt(4);
    }

    /** PortalSuspended: {@code 's', Int32 4}; Execute reached maxRows and the portal has more rows. */
    static void portalSuspended(ByteBuf out) {
        out.writeByte('s').writeInt(4);
    }

    /** ParameterDescription: {@code 't', Int32 len, Int16 n, Int32 type OID[n]} (n unsigned, up to 65535). */
    static void parameterDescription(ByteBuf out, int[] oids) {
        out.writeByte('t').writeInt(6 + 4 * oids.length).writeShort(oids.length);
        for (int oid : oids) {
            out.writeInt(oid);
        }
    }

    /**
     * CopyInResponse: {@code 'G', Int32 len, Int8 format (0 text), Int16 n, Int16 format[n] (all 0)}; the server
     * is ready for CopyData. Text and CSV are both format 0.
     */
    static void copyInResponse(ByteBuf out, int columnCount) {
        copyResponse(out, 'G', columnCount);
    }

    /** CopyOutResponse: {@code 'H', Int32 len, Int8 format (0 text), Int16 n, Int16 format[n] (all 0)}. */
    static void copyOutResponse(ByteBuf out, int columnCount) {
        copyResponse(out, 'H', columnCount);
    }

    private static void copyResponse(ByteBuf out, char type, int columnCount) {
        out.writeByte(type).writeInt(4 + 1 + 2 + 2 * columnCount).writeByte(0).writeShort(columnCount);
        for (int i = 0; i < columnCount; i++) {
            out.writeShort(0);
        }
    }

    /**
     * CopyData carrying one row of COPY TO: {@code 'd', Int32 len, Byte[len-4] row} where the row is formatted
     * by {@code writer}, line end included. A value that cannot be encoded leaves no half message behind.
     */
    static void copyDataRow(ByteBuf out, CopyOutWriter writer, Object[] row) {
        if (writer.writeRowMessage(out, row)) {
            return;
        }
        int start = out.writerIndex();
        try {
            int len = startMessage(out, 'd');
            writer.writeRow(out, row);
            endMessage(out, len);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    /** CopyData carrying the CSV header line: {@code 'd', Int32 len, Byte[len-4] names}. */
    static void copyDataHeader(ByteBuf out, CopyOutWriter writer) {
        int len = startMessage(out, 'd');
        writer.writeHeader(out);
        endMessage(out, len);
    }

    /** CopyDone: {@code 'c', Int32 4}; the end of COPY TO's data. */
    static void copyDone(ByteBuf out) {
        out.writeByte('c').writeInt(4);
    }
}
