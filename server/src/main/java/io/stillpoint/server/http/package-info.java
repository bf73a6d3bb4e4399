/**
 * Operations: the HTTP endpoint ({@code /health}, {@code /metrics}), the server's counters ({@link
 * io.stillpoint.server.http.Metrics}) and their Prometheus text format, and the engine wrapper that times commits.
 */
package io.stillpoint.server.http;
