package dev.junction.bench;

/**
 * What one fixed-rate run measured. Times are in microseconds.
 *
 * @param latency from each request's due time to the last byte of its response
 * @param ttft from each request's due time to the first byte of its body (streams only)
 * @param eventMicros mean time between the first and the last event of a stream, per event
 */
public record LoadResult(
    int rate,
    double seconds,
    long ok,
    long errors,
    double throughput,
    Percentiles latency,
    Percentiles ttft,
    double eventsPerStream,
    double eventMicros) {

  public record Percentiles(double mean, long p50, long p90, long p99, long p999, long max) {}
}
