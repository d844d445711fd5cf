package dev.junction.bench;

import org.jspecify.annotations.Nullable;

/**
 * What one fixed-rate run measured. Times are in microseconds, as {@code timeUnit} says in the JSON
 * printed, so that a figure read on its own is not taken for milliseconds.
 *
 * @param timeUnit always {@code us}
 * @param latency from the moment each request was sent to the last byte of its response
 * @param sinceDue from each request's due time to the last byte of its response: the latency plus
 *     the generator's own lateness in sending, up to its 1 ms tick; a server that falls behind shows
 *     here even when it answers each request quickly once it takes it (coordinated omission)
 * @param ttft from the moment each request was sent to the first byte of its body (streams only)
 * @param eventMicros mean time between the first and the last event of a stream, per event
 */
public record LoadResult(
    String timeUnit,
    int rate,
    double seconds,
    long ok,
    long errors,
    double throughput,
    Percentiles latency,
    Percentiles sinceDue,
    @Nullable Percentiles ttft,
    double eventsPerStream,
    double eventMicros) {

  public record Percentiles(double mean, long p50, long p90, long p99, long p999, long max) {}
}
