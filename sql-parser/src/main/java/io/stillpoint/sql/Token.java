package io.stillpoint.sql;

/**
 * One lexical token of the hand-written front ({@link Tokenizer}).
 *
 * @param kind  what it is
 * @param text  identifiers: folded to lower case unless quoted (quotes removed); strings: the value with quotes
 *              removed and escapes resolved; everything else: the source characters
 * @param start 0-based offset of the first character in the whole text
 * @param end   0-based offset just past the last character
 */
record Token(Kind kind, String text, int start, int end) {

    enum Kind {
        /** An unquoted identifier or key word, folded to lower case. */
        IDENT,
        /** A double-quoted identifier, case kept. */
        QUOTED_IDENT,
        /** A single-quoted, E'...' or dollar-quoted string constant. */
        STRING,
        /** A numeric constant, as written. */
        NUMBER,
        /** {@code $n}. */
        PARAM,
        /** Operators and punctuation: {@code ( ) , ; . :: + - * / % < > = <= >= <> != ||} and any other operator. */
        SYMBOL
    }

    boolean isKeyword(String word) {
        return kind == Kind.IDENT && text.equals(word);
    }

    boolean isSymbol(String symbol) {
        return kind == Kind.SYMBOL && text.equals(symbol);
    }

    /** 1-based position, the way PostgreSQL reports it. */
    int position() {
        return start + 1;
    }
}
