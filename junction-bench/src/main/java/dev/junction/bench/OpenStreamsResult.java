package dev.junction.bench;

/**
 * @param wanted streams asked for
 * @param peakOpen most streams open at the same time
 * @param completed streams that ended with their end marker
 * @param failed streams refused or broken
 * @param peakRssBytes highest resident memory of the watched process, -1 when none was watched
 */
public record OpenStreamsResult(int wanted, int peakOpen, int completed, int failed, long peakRssBytes) {}
