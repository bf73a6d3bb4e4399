package io.stillpoint.server.exec;

/**
 * The receiving end of a running {@code COPY ... FROM STDIN}: the wire layer hands it the bytes of each CopyData
 * message as they come, then calls {@link #finish()} at CopyDone. Rows go into the session's write transaction
 * as they are parsed; any error (a bad row, a storage refusal) is a {@link SqlError} naming the line and column,
 * after which the wire layer reports it, the session's transaction is failed (so nothing of the COPY is committed)
 * and the sink is not used again.
 */
public interface CopyInSink {

    /** Parses the rows these bytes complete. The array is not retained. */
    void accept(byte[] data, int offset, int length);

    /** The end of the data: parses a last unterminated row and returns the number of rows copied. */
    long finish();
}
