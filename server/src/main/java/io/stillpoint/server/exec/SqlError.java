package io.stillpoint.server.exec;

/**
 * An error to send to the client as an ErrorResponse: a SQLSTATE, a message in the project's style
 * ({@code lower-case reason [key=value, ...]}) and an optional 1-based position in the query text (0: none).
 */
public final class SqlError extends RuntimeException {

    private final String sqlState;
    private final int position;

    public SqlError(String sqlState, String message) {
        this(sqlState, message, 0, null);
    }

    public SqlError(String sqlState, String message, int position) {
        this(sqlState, message, position, null);
    }

    public SqlError(String sqlState, String message, int position, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
        this.position = position;
    }

    public String sqlState() {
        return sqlState;
    }

    public int position() {
        return position;
    }
}
