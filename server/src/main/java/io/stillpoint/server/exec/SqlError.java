package io.stillpoint.server.exec;

/**
 * An error to send to the client as an ErrorResponse: a SQLSTATE, a message in the project's style
 * ({@code lower-case reason [key=value, ...]}), an optional 1-based position in the query text (0: none) and, for
 * the few errors clients recognise by it, PostgreSQL's routine name (the ErrorResponse field R).
 */
public final class SqlError extends RuntimeException {

    /**
     * The routine PostgreSQL names when a cached plan's result columns changed: pgjdbc (and Rails, postgres.js)
     * read it to prepare the statement again and retry once, instead of failing until the application re-prepares.
     */
    public static final String ROUTINE_REVALIDATE_CACHED_QUERY = "RevalidateCachedQuery";

    private final String sqlState;
    private final int position;
    private final String routine;

    public SqlError(String sqlState, String message) {
        this(sqlState, message, 0, null);
    }

    public SqlError(String sqlState, String message, int position) {
        this(sqlState, message, position, null);
    }

    public SqlError(String sqlState, String message, int position, Throwable cause) {
        this(sqlState, message, position, cause, null);
    }

    private SqlError(String sqlState, String message, int position, Throwable cause, String routine) {
        super(message, cause);
        this.sqlState = sqlState;
        this.position = position;
        this.routine = routine;
    }

    /** An error that carries PostgreSQL's routine name (e.g. {@link #ROUTINE_REVALIDATE_CACHED_QUERY}). */
    public static SqlError withRoutine(String sqlState, String message, String routine) {
        return new SqlError(sqlState, message, 0, null, routine);
    }

    /** PostgreSQL's routine name for this error, or null (most errors: clients do not need one). */
    public String routine() {
        return routine;
    }

    public String sqlState() {
        return sqlState;
    }

    public int position() {
        return position;
    }
}
