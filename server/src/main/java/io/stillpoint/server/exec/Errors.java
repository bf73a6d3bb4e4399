package io.stillpoint.server.exec;

import io.stillpoint.sql.SqlParseException;
import io.stillpoint.storage.StorageException;

/** Turns every failure the executor can meet into a {@link SqlError} with the right SQLSTATE. */
final class Errors {

    private Errors() {}

    /** The SQLSTATE of a storage failure, chosen by its kind. */
    static String sqlState(StorageException.Kind kind) {
        return switch (kind) {
            case TABLE_NOT_FOUND -> "42P01";
            case TABLE_EXISTS -> "42P07";
            case INVALID -> "22P02";
            case UNSUPPORTED -> "0A000";
            case CORRUPT -> "XX001";
            case LOCKED -> "55006";
            case DISK_FULL -> "53100";
            case IO -> "58030";
            case CHECKPOINT_STATE -> "55000";
            // Only at engine open (Main exits 3); mapped for completeness should it ever reach a session.
            case RESTORE_REFUSED -> "55000";
        };
    }

    static SqlError fromStorage(StorageException e, int position) {
        return new SqlError(sqlState(e.kind()), e.getMessage(), position, e);
    }

    /** Any throwable as a SqlError: SqlErrors pass through, parser and storage errors keep their codes. */
    static SqlError wrap(Throwable t) {
        if (t instanceof SqlError e) {
            return e;
        }
        if (t instanceof SqlParseException e) {
            return new SqlError(e.sqlState(), e.getMessage(), e.position(), e);
        }
        if (t instanceof StorageException e) {
            return fromStorage(e, 0);
        }
        if (t instanceof ArithmeticException) {
            return new SqlError("22003", "value out of range [reason=" + t.getMessage() + "]", 0, t);
        }
        if (t instanceof OutOfMemoryError) {
            return new SqlError("53200", "out of memory", 0, t);
        }
        String reason = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return new SqlError("XX000", "internal error [cause=" + reason + "]", 0, t);
    }

    static SqlError undefinedColumn(String name, int position) {
        return new SqlError("42703", "column does not exist [column=" + name + "]", position);
    }

    static SqlError undefinedTable(String name, int position) {
        return new SqlError("42P01", "table does not exist [table=" + name + "]", position);
    }

    static SqlError undefinedFunction(String name, int position) {
        return new SqlError("42883", "function does not exist [function=" + name + "]", position);
    }

    static SqlError datatypeMismatch(String message, int position) {
        return new SqlError("42804", message, position);
    }

    static SqlError divisionByZero() {
        return new SqlError("22012", "division by zero");
    }
}
