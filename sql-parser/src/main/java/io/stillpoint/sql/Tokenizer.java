package io.stillpoint.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The lexer of the hand-written front: turns SQL text into {@link Token}s following PostgreSQL's lexical rules
 * (single-quoted, {@code E'...'} and dollar-quoted strings, double-quoted identifiers, {@code --} and nested
 * {@code /* *}{@code /} comments, {@code $n} parameters, operators). Comments and white space produce no tokens.
 * It is what splits a script at its top-level semicolons and what gives every token its exact offset, so the
 * positions reported to clients never depend on how another parser counts lines or columns.
 */
final class Tokenizer {

    private static final String OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?";

    private final String text;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    private Tokenizer(String text) {
        this.text = text;
    }

    /** All tokens of {@code text}; throws {@link SqlParseException} 42601 on unterminated strings or comments. */
    static List<Token> tokenize(String text) {
        Tokenizer tokenizer = new Tokenizer(text);
        tokenizer.run();
        return tokenizer.tokens;
    }

    private void run() {
        int n = text.length();
        while (pos < n) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '-' && peek(1) == '-') {
                while (pos < n && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') {
                    pos++;
                }
            } else if (c == '/' && peek(1) == '*') {
                blockComment();
            } else if (c == '\'') {
                quotedString(pos, pos, false);
            } else if ((c == 'e' || c == 'E') && peek(1) == '\'') {
                quotedString(pos, pos + 1, true);
            } else if (c == '"') {
                quotedIdentifier();
            } else if (c == '$') {
                dollar();
            } else if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
                number();
            } else if (isIdentStart(c)) {
                int start = pos;
                while (pos < n && isIdentPart(text.charAt(pos))) {
                    pos++;
                }
                add(Token.Kind.IDENT, text.substring(start, pos).toLowerCase(Locale.ROOT), start);
            } else if (c == ':' && peek(1) == ':') {
                pos += 2;
                add(Token.Kind.SYMBOL, "::", pos - 2);
            } else if (OPERATOR_CHARS.indexOf(c) >= 0) {
                operator();
            } else {
                pos++;
                add(Token.Kind.SYMBOL, String.valueOf(c), pos - 1);
            }
        }
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < text.length() ? text.charAt(i) : '\0';
    }

    private void add(Token.Kind kind, String value, int start) {
        tokens.add(new Token(kind, value, start, pos));
    }

    private void blockComment() {
        int start = pos;
        int depth = 0;
        int n = text.length();
        while (pos < n) {
            if (text.startsWith("/*", pos)) {
                depth++;
                pos += 2;
            } else if (text.startsWith("*/", pos)) {
                depth--;
                pos += 2;
                if (depth == 0) {
                    return;
                }
            } else {
                pos++;
            }
        }
        throw SqlParseException.syntax("unterminated /* comment at or near \"" + excerpt(start) + "\" [position="
                + (start + 1) + "]", start + 1);
    }

    /** {@code '...'} with {@code ''} for a quote; with {@code escapes}, the backslash escapes of {@code E'...'}. */
    private void quotedString(int start, int quote, boolean escapes) {
        StringBuilder value = new StringBuilder();
        int n = text.length();
        pos = quote + 1;
        while (true) {
            if (pos >= n) {
                throw SqlParseException.syntax("unterminated quoted string at or near \"" + excerpt(start)
                        + "\" [position=" + (start + 1) + "]", start + 1);
            }
            char c = text.charAt(pos);
            if (c == '\'') {
                if (peek(1) == '\'') {
                    value.append('\'');
                    pos += 2;
                    continue;
                }
                pos++;
                break;
            }
            if (escapes && c == '\\' && pos + 1 < n) {
                pos = escape(value, pos + 1);
                continue;
            }
            value.append(c);
            pos++;
        }
        add(Token.Kind.STRING, value.toString(), start);
    }

    /** Decodes the escape whose letter is at {@code i}; returns the offset after it. */
    private int escape(StringBuilder value, int i) {
        char c = text.charAt(i);
        switch (c) {
            case 'b': value.append('\b'); return i + 1;
            case 'f': value.append('\f'); return i + 1;
            case 'n': value.append('\n'); return i + 1;
            case 'r': value.append('\r'); return i + 1;
            case 't': value.append('\t'); return i + 1;
            case 'x': return numericEscape(value, i + 1, 16, 2, i);
            case 'u': return numericEscape(value, i + 1, 16, 4, i);
            case 'U': return numericEscape(value, i + 1, 16, 8, i);
            default:
                if (c >= '0' && c <= '7') {
                    return numericEscape(value, i, 8, 3, i);
                }
                value.append(c);
                return i + 1;
        }
    }

    private int numericEscape(StringBuilder value, int from, int radix, int maxDigits, int letter) {
        int i = from;
        int code = 0;
        while (i < text.length() && i - from < maxDigits && Character.digit(text.charAt(i), radix) >= 0) {
            code = code * radix + Character.digit(text.charAt(i), radix);
            i++;
        }
        if (i == from) {
            value.append(text.charAt(letter));
            return letter + 1;
        }
        if (!Character.isValidCodePoint(code)) {
            throw new SqlParseException("22025", "invalid unicode escape value [position=" + (letter) + "]", letter);
        }
        value.appendCodePoint(code);
        return i;
    }

    private void quotedIdentifier() {
        int start = pos;
        StringBuilder value = new StringBuilder();
        int n = text.length();
        pos++;
        while (true) {
            if (pos >= n) {
                throw SqlParseException.syntax("unterminated quoted identifier at or near \"" + excerpt(start)
                        + "\" [position=" + (start + 1) + "]", start + 1);
            }
            char c = text.charAt(pos);
            if (c == '"') {
                if (peek(1) == '"') {
                    value.append('"');
                    pos += 2;
                    continue;
                }
                pos++;
                break;
            }
            value.append(c);
            pos++;
        }
        if (value.length() == 0) {
            throw SqlParseException.syntax("zero-length delimited identifier at or near \"\"\"\" [position="
                    + (start + 1) + "]", start + 1);
        }
        add(Token.Kind.QUOTED_IDENT, value.toString(), start);
    }

    /** {@code $n} parameter or {@code $tag$...$tag$} string. */
    private void dollar() {
        int start = pos;
        int n = text.length();
        if (isDigit(peek(1))) {
            pos++;
            while (pos < n && isDigit(text.charAt(pos))) {
                pos++;
            }
            add(Token.Kind.PARAM, text.substring(start, pos), start);
            return;
        }
        int tagEnd = pos + 1;
        if (tagEnd < n && isIdentStart(text.charAt(tagEnd))) {
            while (tagEnd < n && isIdentPart(text.charAt(tagEnd)) && text.charAt(tagEnd) != '$') {
                tagEnd++;
            }
        }
        if (tagEnd >= n || text.charAt(tagEnd) != '$') {
            pos++;
            add(Token.Kind.SYMBOL, "$", start);
            return;
        }
        String tag = text.substring(start, tagEnd + 1);
        int close = text.indexOf(tag, tagEnd + 1);
        if (close < 0) {
            throw SqlParseException.syntax("unterminated dollar-quoted string at or near \"" + excerpt(start)
                    + "\" [position=" + (start + 1) + "]", start + 1);
        }
        pos = close + tag.length();
        add(Token.Kind.STRING, text.substring(tagEnd + 1, close), start);
    }

    private void number() {
        int start = pos;
        int n = text.length();
        while (pos < n && isDigit(text.charAt(pos))) {
            pos++;
        }
        // "1..2" is not a fraction; PostgreSQL stops the number before the second dot.
        if (pos < n && text.charAt(pos) == '.' && peek(1) != '.') {
            pos++;
            while (pos < n && isDigit(text.charAt(pos))) {
                pos++;
            }
        }
        if (pos < n && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            int mark = pos;
            pos++;
            if (pos < n && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < n && isDigit(text.charAt(pos))) {
                while (pos < n && isDigit(text.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = mark;
            }
        }
        add(Token.Kind.NUMBER, text.substring(start, pos), start);
    }

    /** PostgreSQL's operator rule: a run of operator characters, cut before a comment start, and not ending in
     *  + or - unless it contains one of ~ ! @ # % ^ & | ` ? (so {@code a<-1} is {@code a < -1}). */
    private void operator() {
        int start = pos;
        int n = text.length();
        int end = pos;
        while (end < n && OPERATOR_CHARS.indexOf(text.charAt(end)) >= 0) {
            if (end > start && (text.startsWith("--", end) || text.startsWith("/*", end))) {
                break;
            }
            end++;
        }
        if (end - start > 1) {
            String run = text.substring(start, end);
            boolean special = run.chars().anyMatch(ch -> "~!@#%^&|`?".indexOf(ch) >= 0);
            if (!special) {
                while (end - start > 1 && (text.charAt(end - 1) == '+' || text.charAt(end - 1) == '-')) {
                    end--;
                }
            }
        }
        pos = end;
        add(Token.Kind.SYMBOL, text.substring(start, end), start);
    }

    private String excerpt(int start) {
        int end = Math.min(text.length(), start + 40);
        return text.substring(start, end);
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }
}
