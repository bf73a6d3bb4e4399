package io.stillpoint.sql;

import io.stillpoint.sql.ast.Statement;
import io.stillpoint.sql.ast.TtlUnit;

import java.util.List;
import java.util.Locale;

/**
 * The amount and unit after the word {@code TTL}, shared by {@code CREATE TABLE ... TTL n unit} and {@code ALTER
 * TABLE t SET TTL n unit}. Units are HOUR(S), DAY(S), WEEK(S), MONTH(S), YEAR(S) in any case, or QuestDB's one-letter
 * form written right after the number ({@code 12H}, {@code 2D}, {@code 1W}, {@code 3M}, {@code 1Y}; the tokenizer
 * splits {@code 12H} into the number and the word). {@code TTL 0}, with or without a unit, means no TTL.
 */
final class TtlClause {

    /** What was parsed: {@code ttl} is null for {@code TTL 0}; {@code next} the index of the first token after it. */
    record Parsed(Statement.TimeToLive ttl, int next) {}

    private static final String UNITS = "HOURS, DAYS, WEEKS, MONTHS or YEARS";

    private TtlClause() {
    }

    /**
     * Parses from {@code tokens.get(from)} (the token after {@code TTL}).
     *
     * @param endPosition where "end of input" is reported
     */
    static Parsed parse(String sql, List<Token> tokens, int from, int endPosition) {
        int i = from;
        if (i >= tokens.size()) {
            throw SqlParseException.syntax("syntax error: ttl amount expected, e.g. TTL 30 DAYS [position="
                    + endPosition + "]", endPosition);
        }
        Token first = tokens.get(i);
        boolean negative = false;
        if (first.isSymbol("-") && i + 1 < tokens.size() && tokens.get(i + 1).kind() == Token.Kind.NUMBER) {
            negative = true;
            i++;
        }
        Token number = tokens.get(i);
        if (number.kind() != Token.Kind.NUMBER) {
            throw SqlParseException.syntax("syntax error: ttl amount expected, e.g. TTL 30 DAYS [found="
                    + text(sql, number) + ", position=" + number.position() + "]", number.position());
        }
        if (!number.text().chars().allMatch(Character::isDigit)) {
            throw SqlParseException.syntax("ttl amount must be a whole number [amount=" + text(sql, number) + "]",
                    number.position());
        }
        i++;
        long amount = amount(number.text());
        if (negative || amount > Statement.TimeToLive.MAX_AMOUNT) {
            throw new SqlParseException("22023", "ttl out of range, expected 0 to " + Statement.TimeToLive.MAX_AMOUNT
                    + " [amount=" + (negative ? "-" : "") + number.text() + "]", first.position());
        }
        if (i >= tokens.size() || !(tokens.get(i).kind() == Token.Kind.IDENT)) {
            if (amount == 0) {
                return new Parsed(null, i);
            }
            Token found = i < tokens.size() ? tokens.get(i) : null;
            int position = found == null ? endPosition : found.position();
            throw SqlParseException.syntax("syntax error: ttl unit expected, one of " + UNITS + " ["
                    + (found == null ? "" : "found=" + text(sql, found) + ", ") + "position=" + position + "]",
                    position);
        }
        Token unitToken = tokens.get(i);
        TtlUnit unit = unit(unitToken.text());
        if (unit == null) {
            throw SqlParseException.syntax("invalid ttl unit, expected " + UNITS + " [unit=" + text(sql, unitToken)
                    + "]", unitToken.position());
        }
        i++;
        return new Parsed(amount == 0 ? null : new Statement.TimeToLive(amount, unit), i);
    }

    /** The amount's value, or {@code Long.MAX_VALUE} when it has too many digits to be in range anyway. */
    private static long amount(String digits) {
        String trimmed = digits.replaceFirst("^0+(?=.)", "");
        return trimmed.length() > 18 ? Long.MAX_VALUE : Long.parseLong(trimmed);
    }

    private static TtlUnit unit(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "hour", "hours", "h" -> TtlUnit.HOURS;
            case "day", "days", "d" -> TtlUnit.DAYS;
            case "week", "weeks", "w" -> TtlUnit.WEEKS;
            case "month", "months", "m" -> TtlUnit.MONTHS;
            case "year", "years", "y" -> TtlUnit.YEARS;
            default -> null;
        };
    }

    private static String text(String sql, Token token) {
        return sql.substring(token.start(), Math.min(token.end(), token.start() + 60));
    }
}
