package io.stillpoint.server.exec;

/** What ReadyForQuery reports: idle, inside a transaction block, or in a failed transaction block. */
public enum TransactionStatus {
    IDLE('I'), IN_TRANSACTION('T'), FAILED('E');

    private final char indicator;

    TransactionStatus(char indicator) {
        this.indicator = indicator;
    }

    public char indicator() {
        return indicator;
    }
}
