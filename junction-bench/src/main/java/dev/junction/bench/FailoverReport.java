package dev.junction.bench;

import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * What {@code junction bench failover} measured. Times are in milliseconds.
 *
 * @param added the latency a failing first candidate adds, cold (a new failing deployment on every
 *     request) and warm (the same one every time, after the gateway has learned it fails)
 * @param mix a steady load on a provider failing a share of its requests, with a healthy alternative
 */
record FailoverReport(String command, String machine, Settings settings, List<Added> added, List<Mix> mix) {

  record Settings(int samples, int hangSamples, int hangConcurrency, int learn, long firstTokenMs, int rate,
      int seconds, double faultRate, int maxTokens) {}

  /** Percentiles in milliseconds. */
  record Ms(double p50, double p90, double p99, double max) {

    static Ms of(Histogram micros) {
      return new Ms(ms(micros.getValueAtPercentile(50)), ms(micros.getValueAtPercentile(90)),
          ms(micros.getValueAtPercentile(99)), ms(micros.getMaxValue()));
    }

    private static double ms(long micros) {
      return Math.round(micros / 10.0) / 100.0;
    }
  }

  /**
   * @param state {@code cold} or {@code warm}
   * @param samples pairs sent: each a direct request and one whose first candidate fails
   * @param failedOver failover requests that took more than one attempt
   * @param errors requests of either kind that did not end in a complete answer
   * @param direct latency of the direct requests (to the first byte when streaming)
   * @param failover latency of the requests whose first candidate fails
   * @param addedP50 failover minus direct at the median
   */
  record Added(String fault, String state, boolean stream, int samples, int failedOver, int servedByHealthy,
      int errors, Ms direct, Ms failover, double addedP50, double addedP99) {}

  /**
   * @param failingDeployment {@code learned}: one, listed first in the model, which routing learns to
   *     avoid; {@code new each request}: each request meets one of its own first, which nothing can learn
   * @param requests ledger records of the run (every accepted request leaves one)
   * @param ok records of complete answers; {@code partial} broke after the first byte, {@code error} before
   * @param clientOk responses with status 200 as the load generator saw them (a broken stream included)
   * @param failedOver records whose request took more than one attempt
   * @param triedFailing requests the failing provider received during the run
   * @param upstreamFaults faults it played
   */
  record Mix(String fault, boolean stream, String failingDeployment, int rate, double seconds, long requests, long ok, long partial,
      long error, long clientOk, long clientErrors, long failedOver, long triedFailing, long upstreamFaults, double successRate,
      double failoverShare, Ms latency, @Nullable Ms ttft) {}

  String markdown() {
    StringBuilder md = new StringBuilder("# Failover benchmark\n\n");
    md.append("Command: `").append(command).append("`  \nMachine: ").append(machine).append("\n\n");
    md.append(String.format(Locale.ROOT, """
        ## Latency a failing first candidate adds

        Each sample is a pair: the request served directly by the healthy provider, then the same \
        request whose first candidate fails and whose `models` fallback is the healthy provider. \
        *Cold*: a new failing deployment for every request (nothing learned). *Warm*: the same one \
        every time, measured after %d learning requests. Hangs end at `first_token_ms: %d`. \
        Non-streaming: time to the whole answer; streaming: time to the first byte. Added = failover \
        minus direct at the same percentile, in ms.

        | first candidate | state | stream | samples | failed over | direct p50 / p99 | failover p50 / p99 | added p50 | added p99 | errors |
        |---|---|---|---|---|---|---|---|---|---|
        """, settings.learn(), settings.firstTokenMs()));
    for (Added a : added) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %.2f / %.2f | %.2f / %.2f | %.2f | %.2f | %d |%n",
          a.fault(), a.state(), a.stream() ? "yes" : "no", a.samples(), a.failedOver(), a.direct().p50(),
          a.direct().p99(), a.failover().p50(), a.failover().p99(), a.addedP50(), a.addedP99(), a.errors()));
    }
    md.append(String.format(Locale.ROOT, """

        ## Success under a fault mix

        %d req/s for %d s (open loop, latency from each request's due time) to a provider that fails \
        %.0f%% of its requests with the fault shown, with a healthy one behind it. *Learned*: one model \
        lists the failing deployment first and the healthy one second (`preferred` order), and the \
        live statistics soon rank the failing one last. *New each request*: every request is pinned to a \
        failing deployment of its own with the healthy model as its `models` fallback, so every request \
        meets the failing provider first. Success = ledger records `ok` ÷ records; failed over = records with more \
        than one attempt; tried failing = requests the failing provider received, faults = those it failed. \
        Latency in ms (streaming: also time to first byte).

        | fault | stream | failing deployment | requests | ok | partial | error | success | failed over | tried failing | faults | latency p50 / p99 | TTFB p50 / p99 |
        |---|---|---|---|---|---|---|---|---|---|---|---|---|
        """, settings.rate(), settings.seconds(), settings.faultRate() * 100));
    for (Mix m : mix) {
      md.append(String.format(Locale.ROOT,
          "| `%s` | %s | %s | %d | %d | %d | %d | %.2f%% | %d (%.2f%%) | %d | %d | %.2f / %.2f | %s |%n",
          m.fault(), m.stream() ? "yes" : "no", m.failingDeployment(), m.requests(), m.ok(), m.partial(), m.error(), m.successRate() * 100,
          m.failedOver(), m.failoverShare() * 100, m.triedFailing(), m.upstreamFaults(), m.latency().p50(), m.latency().p99(),
          m.ttft() == null ? "" : String.format(Locale.ROOT, "%.2f / %.2f", m.ttft().p50(), m.ttft().p99())));
    }
    return md.toString();
  }
}
