package io.stillpoint.sql;

/**
 * A statement the parser cannot accept. {@link #sqlState()} is 42601 (syntax error) unless said otherwise,
 * {@link #position()} the 1-based character offset into the whole text handed to the parser (0 if unknown).
 * Messages follow the project's style: {@code lower-case reason [key=value, ...]}.
 */
public final class SqlParseException extends RuntimeException {
    public static final String SYNTAX_ERROR = "42601";
    public static final String FEATURE_NOT_SUPPORTED = "0A000";

    private final String sqlState;
    private final int position;

    public SqlParseException(String sqlState, String message, int position) {
        super(message);
        this.sqlState = sqlState;
        this.position = position;
    }

    public static SqlParseException syntax(String message, int position) {
        return new SqlParseException(SYNTAX_ERROR, message, position);
    }

    public String sqlState() { return sqlState; }

    public int position() { return position; }
}
