package io.stillpoint.server.pgwire.types;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.stillpoint.server.exec.DataType;
import io.stillpoint.server.exec.SqlError;
import io.stillpoint.sql.IntervalValue;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The interval codec: OID and size, PostgreSQL's text forms, and the 16-byte binary layout, field for field. */
class IntervalTypeTest {

    private static final IntervalType T = IntervalType.INSTANCE;

    private static byte[] binary(IntervalValue v) {
        ByteBuf buf = Unpooled.buffer();
        T.writeBinary(buf, v);
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    /** Field for field (equals compares spans, where 1 mon = 30 days). */
    private static void assertFields(IntervalValue expected, Object actual) {
        IntervalValue a = (IntervalValue) actual;
        assertEquals(expected.months(), a.months());
        assertEquals(expected.days(), a.days());
        assertEquals(expected.micros(), a.micros());
    }

    @Test
    void registeredForTheIntervalDataType() {
        assertSame(T, PgTypes.of(DataType.INTERVAL));
        assertEquals(1186, T.oid());
        assertEquals(16, T.typeLength());
        assertEquals(DataType.INTERVAL, DataType.ofOid(1186));
    }

    @Test
    void binaryIsMicrosThenDaysThenMonths() {
        IntervalValue v = new IntervalValue(14, -3, 7_200_000_001L);
        byte[] b = binary(v);
        assertArrayEquals(new byte[] {0, 0, 0, 1, (byte) 0xAD, 0x27, 0x48, 0x01, -1, -1, -1, -3, 0, 0, 0, 14}, b);
        assertFields(v, T.decodeBinary(b, 0, b.length));
        for (IntervalValue x : new IntervalValue[] {IntervalValue.ZERO, new IntervalValue(1, 0, 0),
                new IntervalValue(0, 30, 0), new IntervalValue(Integer.MIN_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE)}) {
            byte[] bytes = binary(x);
            assertFields(x, T.decodeBinary(bytes, 0, bytes.length));
        }
        SqlError e = assertThrows(SqlError.class, () -> T.decodeBinary(new byte[8], 0, 8));
        assertEquals("22P03", e.sqlState());
    }

    @Test
    void textIsPostgresStyleBothWays() {
        IntervalValue v = new IntervalValue(-1, 1, -3_723_500_000L);
        assertEquals("-1 mons +1 day -01:02:03.5", T.encodeText(v));
        ByteBuf buf = Unpooled.buffer();
        T.writeText(buf, v);
        assertEquals("-1 mons +1 day -01:02:03.5", buf.toString(StandardCharsets.UTF_8));
        assertFields(v, T.decodeText("-1 mons +1 day -01:02:03.5"));
        byte[] utf8 = "1 year 2 mons 3 days 04:05:06".getBytes(StandardCharsets.UTF_8);
        assertFields(new IntervalValue(14, 3, 14_706_000_000L), T.decodeText(utf8, 0, utf8.length));
        SqlError bad = assertThrows(SqlError.class, () -> T.decodeText("later"));
        assertEquals("22007", bad.sqlState());
        assertEquals("invalid input syntax for type interval [value=later]", bad.getMessage());
        assertEquals("22015", assertThrows(SqlError.class, () -> T.decodeText("9999999999 days")).sqlState());
    }
}
