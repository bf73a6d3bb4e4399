/**
 * Wire codecs, one class per PostgreSQL type (bool, int2, int4, int8, float4, float8, numeric, text, varchar,
 * timestamp, unknown), each with the text (format 0) and binary (format 1) representation in both directions,
 * matching PostgreSQL 15's output functions with DateStyle=ISO and extra_float_digits=1.
 * {@link io.stillpoint.server.pgwire.types.PgTypes} maps an executor {@link io.stillpoint.server.exec.DataType}
 * to its codec.
 */
package io.stillpoint.server.pgwire.types;
