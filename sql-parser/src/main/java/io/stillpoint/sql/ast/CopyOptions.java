package io.stillpoint.sql.ast;

/**
 * The options of a COPY statement, with PostgreSQL's defaults already applied, so the executor never has to know
 * which were written. Text format: delimiter tab, null {@code \N}, backslash escapes. CSV: delimiter comma, null
 * the empty unquoted string, quote and escape {@code "}. Each of delimiter, quote and escape is one single-byte
 * character (the parser has checked it).
 *
 * @param format    TEXT or CSV (BINARY is refused by the parser)
 * @param header    CSV only: the first line is a header (COPY FROM skips it, COPY TO writes the column names)
 * @param delimiter the field separator
 * @param nullText  the text that stands for NULL
 * @param quote     CSV quote character
 * @param escape    CSV escape character inside quotes
 */
public record CopyOptions(Format format, boolean header, char delimiter, String nullText, char quote, char escape) {

    public enum Format { TEXT, CSV }

    public static final CopyOptions TEXT = new CopyOptions(Format.TEXT, false, '\t', "\\N", '"', '"');
    public static final CopyOptions CSV = new CopyOptions(Format.CSV, false, ',', "", '"', '"');

    public boolean csv() {
        return format == Format.CSV;
    }
}
