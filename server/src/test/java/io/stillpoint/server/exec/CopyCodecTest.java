package io.stillpoint.server.exec;

import io.stillpoint.sql.ast.CopyOptions;
import io.stillpoint.storage.ColumnType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The COPY FROM row readers (text and CSV) and the byte-level value parsers, on tricky inputs. */
class CopyCodecTest {

    /** Reads {@code data} fed in chunks of {@code chunk} bytes; each row as its fields, NULL as null. */
    static List<List<String>> read(CopyOptions options, String data, int chunk) {
        CopyRowReader reader = CopyRowReader.of(options);
        List<List<String>> rows = new ArrayList<>();
        CopyRowReader.RowHandler handler = (fields, line) -> {
            List<String> row = new ArrayList<>();
            for (int i = 0; i < fields.count; i++) {
                row.add(fields.isNull[i] ? null : fields.text(i));
            }
            rows.add(row);
        };
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += chunk) {
            // a fresh array per chunk: the reader must not keep references into a previous one
            byte[] part = Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk));
            reader.feed(part, 0, part.length, handler);
        }
        reader.finish(handler);
        return rows;
    }

    /** The same result whatever the chunk size, including one byte at a time. */
    static List<List<String>> readAllWays(CopyOptions options, String data) {
        List<List<String>> whole = read(options, data, Math.max(1, data.length() * 4));
        for (int chunk : new int[] {1, 2, 3, 5, 7, 64}) {
            assertEquals(whole, read(options, data, chunk), "chunk=" + chunk);
        }
        return whole;
    }

    static List<String> row(String... values) {
        return Arrays.asList(values);
    }

    @Test
    void textFieldsNullsAndEscapes() {
        List<List<String>> rows = readAllWays(CopyOptions.TEXT,
                "1\ta\\tb\t\\N\n2\tline\\nbreak\\\\x\t\n3\t\\x41\\101\\q\\\t\\Nx\r\n4\tno newline at end");
        assertEquals(4, rows.size());
        assertEquals(row("1", "a\tb", null), rows.get(0));
        assertEquals(row("2", "line\nbreak\\x", ""), rows.get(1));
        // \x41 and \101 are A; \q is q; an escaped tab is data; "\Nx" is not the null marker but N then x
        assertEquals(row("3", "AAq\tNx"), rows.get(2));
        assertEquals(row("4", "no newline at end"), rows.get(3));
    }

    @Test
    void textEscapedNewlineIsDataAndEndMarkerStops() {
        List<List<String>> rows = readAllWays(CopyOptions.TEXT, "a\\\nb\tc\n\\.\nignored\tafter\n");
        assertEquals(List.of(row("a\nb", "c")), rows);
    }

    @Test
    void csvQuotingEmbeddedNewlinesQuotesAndDelimiters() {
        CopyOptions csv = CopyOptions.CSV;
        List<List<String>> rows = readAllWays(csv,
                "1,\"a,b\",\"say \"\"hi\"\"\"\n2,\"multi\nline\r\nfield\",\n3,\"\",x\"y\"z\r\n4,plain,\"\"\"\"");
        assertEquals(row("1", "a,b", "say \"hi\""), rows.get(0));
        assertEquals(row("2", "multi\nline\r\nfield", null), rows.get(1));
        // a quoted empty string is not NULL; a quote may start in the middle of a field
        assertEquals(row("3", "", "xyz"), rows.get(2));
        assertEquals(row("4", "plain", "\""), rows.get(3));
        assertEquals(4, rows.size());
    }

    @Test
    void csvHeaderCustomDelimiterNullAndEscape() {
        CopyOptions options = new CopyOptions(CopyOptions.Format.CSV, true, ';', "NULL", '\'', '\\');
        List<List<String>> rows = readAllWays(options, "a;b;c\n1;NULL;'NULL'\n2;'it\\'s';'back\\\\slash'\n");
        assertEquals(List.of(row("1", null, "NULL"), row("2", "it's", "back\\slash")), rows);
    }

    @Test
    void csvUnterminatedQuoteAtEndIs22P04() {
        SqlError e = assertThrows(SqlError.class, () -> read(CopyOptions.CSV, "1,ok\n2,\"never closed\n", 4));
        assertEquals("22P04", e.sqlState());
        assertEquals("unterminated csv quoted field [line=2]", e.getMessage());
    }

    @Test
    void fastValueParsersAgreeWithTheGeneralOnes() {
        Random random = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            long l = random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(1_000_000) - 500_000;
            assertEquals(l, CopyValues.parse(ColumnType.LONG, bytes(Long.toString(l)), 0, Long.toString(l).length()));
            String d = switch (random.nextInt(4)) {
                case 0 -> Double.toString(random.nextDouble() * 1000);
                case 1 -> String.format("%.3f", random.nextDouble() * 1e6 - 5e5);
                case 2 -> (random.nextInt(20000) - 10000) + "." + random.nextInt(100);
                default -> random.nextInt(100) + "e" + (random.nextInt(40) - 20);
            };
            assertEquals(Double.parseDouble(d), CopyValues.parse(ColumnType.DOUBLE, bytes(d), 0, d.length()), d);
            long micros = (random.nextLong() >>> 1) % 253_402_300_799_000_000L;
            LocalDateTime t = LocalDateTime.ofEpochSecond(micros / 1_000_000, (int) (micros % 1_000_000) * 1000,
                    ZoneOffset.UTC);
            String ts = Values.formatTimestamp(micros);
            if (t.getYear() >= 1000) {
                assertEquals(micros, CopyValues.fastTimestamp(bytes(ts), 0, ts.length()), ts);
            }
            assertEquals(micros, CopyValues.parse(ColumnType.TIMESTAMP, bytes(ts), 0, ts.length()), ts);
        }
        assertEquals(42L, parse(ColumnType.LONG, " 42 "));
        assertEquals(1.5e300, parse(ColumnType.DOUBLE, "1.5e300"));
        assertEquals(Double.NaN, parse(ColumnType.DOUBLE, "NaN"));
        assertEquals(7, parse(ColumnType.INT, "+7"));
        assertEquals(1_700_000_000_000_000L, parse(ColumnType.TIMESTAMP, "2023-11-14T22:13:20Z"));
        assertEquals(1_700_000_000_100_000L, parse(ColumnType.TIMESTAMP, "2023-11-14 22:13:20.1"));
        assertEquals(Boolean.TRUE, parse(ColumnType.BOOLEAN, "t"));
        assertEquals("héllo ✓", parse(ColumnType.VARCHAR, "héllo ✓"));
        SqlError utf8 = assertThrows(SqlError.class,
                () -> CopyValues.parse(ColumnType.VARCHAR, new byte[] {'a', (byte) 0xC3, 'b'}, 0, 3));
        assertEquals("22021", utf8.sqlState());
        assertEquals("22P02", assertThrows(SqlError.class, () -> parse(ColumnType.LONG, "abc")).sqlState());
        assertEquals("22003", assertThrows(SqlError.class, () -> parse(ColumnType.INT, "3000000000")).sqlState());
        assertEquals("22008", assertThrows(SqlError.class, () -> parse(ColumnType.TIMESTAMP, "2023-02-30 00:00:00"))
                .sqlState());
    }

    private static Object parse(ColumnType type, String text) {
        byte[] b = bytes(text);
        return CopyValues.parse(type, b, 0, b.length);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
