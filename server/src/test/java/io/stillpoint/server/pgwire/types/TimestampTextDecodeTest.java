package io.stillpoint.server.pgwire.types;

import io.stillpoint.server.exec.SqlError;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Timestamps parsed straight from a Bind message's bytes agree with java.time and with the String path. */
class TimestampTextDecodeTest {
    private final TimestampType type = (TimestampType) PgTypes.of(io.stillpoint.server.exec.DataType.TIMESTAMP);

    private Object fromBytes(String text) {
        byte[] padded = ("xx" + text + "yy").getBytes(StandardCharsets.UTF_8);
        return type.decodeText(padded, 2, padded.length - 4);
    }

    @Test
    void epochDayMatchesLocalDateForEveryDayOfTenThousandYears() {
        for (LocalDate d = LocalDate.of(1, 1, 1); d.getYear() <= 9999; d = d.plusDays(1)) {
            assertEquals(d.toEpochDay(), TimestampType.epochDay(d.getYear(), d.getMonthValue(), d.getDayOfMonth()), d::toString);
        }
    }

    @Test
    void randomTimestampsDecodeLikeJavaTimeFromBytesAndStrings() {
        SplittableRandom random = new SplittableRandom(11);
        long low = LocalDateTime.of(1, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
        long high = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(low, high);
            int micros = random.nextInt(1_000_000);
            LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, micros * 1000, ZoneOffset.UTC);
            long expected = seconds * 1_000_000L + micros;
            String text = String.format("%04d-%02d-%02d %02d:%02d:%02d.%06d", t.getYear(), t.getMonthValue(),
                    t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), micros);
            assertEquals(expected, fromBytes(text), text);
            assertEquals(expected, type.decodeText(text), text);
            assertEquals(expected, fromBytes(text.replace(' ', 'T') + "+00"), text);
        }
    }

    @Test
    void otherFormsAndErrorsStillGoThroughTheGeneralParser() {
        assertEquals(0L, fromBytes("epoch"));
        assertEquals(0L, fromBytes("1970-01-01 00:00:00Z"));
        assertEquals(1_500_000L, fromBytes("1970-01-01 00:00:01.5"));
        assertEquals(fromBytes("2024-02-29 00:00:00"), type.decodeText("2024-02-29"));
        assertEquals(type.decodeText("2026-11-01 00:00:00.1234567"), fromBytes("2026-11-01 00:00:00.1234567"));
        SqlError badDay = assertThrows(SqlError.class, () -> fromBytes("2023-02-29 00:00:00"));
        assertEquals("22008", badDay.sqlState());
        SqlError garbage = assertThrows(SqlError.class, () -> fromBytes("2023-0x-01 00:00:00"));
        assertEquals("22007", garbage.sqlState());
    }
}
