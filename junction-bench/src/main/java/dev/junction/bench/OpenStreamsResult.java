package dev.junction.bench;

/**
 * @param wanted streams asked for
 * @param peakOpen most streams open at the same time
 * @param completed streams that ended with their end marker
 * @param failed streams refused or broken
 * @param peakRssBytes highest resident memory of the watched process, -1 when none was watched
 * @param openingMs from the first request sent to the last stream's response headers
 * @param headersP99Ms, headersMaxMs how long streams waited for their response headers after being
 *     sent: a stream that waits longer than the streams before it last cannot overlap them
 */
public record OpenStreamsResult(int wanted, int peakOpen, int completed, int failed, long peakRssBytes,
    long openingMs, long headersP99Ms, long headersMaxMs) {}
