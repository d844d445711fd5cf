package dev.junction.bench.jmh;

import dev.junction.account.Limits;
import dev.junction.account.Limits.BudgetPeriod;
import dev.junction.account.Principal;
import dev.junction.account.SpendHistory;
import dev.junction.api.Endpoint;
import dev.junction.api.RequestInspector;
import dev.junction.api.TokenEstimator;
import dev.junction.limits.Demand;
import dev.junction.limits.Limiter;
import dev.junction.limits.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What admission by limits costs a request in memory: a key and its team, every dimension limited,
 * checked, consumed and settled; a caller with no limits; and the prompt's token estimate that
 * reservations need, against the request inspection it follows.
 *
 * <p>The limiter's clock moves 100 ms per request, so the windows slide and never fill: the admitting
 * path is measured, not the refusing one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LimitsBenchmark {

  static final Limits KEY = new Limits(1_000, 1_000_000, 4, Long.MAX_VALUE / 4, BudgetPeriod.MONTH);
  static final Limits TEAM = new Limits(10_000, 10_000_000, 64, Long.MAX_VALUE / 4, BudgetPeriod.MONTH);

  long now = Instant.parse("2026-11-26T12:00:00Z").toEpochMilli();
  Limiter limiter;
  Principal keyAndTeam;
  long id;

  @Setup
  public void setUp() {
    TokenEstimator.preload();
    InstantSource clock = () -> Instant.ofEpochMilli(now);
    limiter = Limiter.inMemory(clock, SpendHistory.NONE, Runnable::run);
    keyAndTeam = new Principal("bench", "key_bench", "team-bench", KEY, TEAM, List.of());
  }

  @Benchmark
  public Verdict admitAndSettleKeyAndTeam() {
    now += 100;
    Verdict verdict = limiter.admit("req_" + id++, keyAndTeam, new Demand(300, 450_000)).toCompletableFuture().join();
    if (verdict instanceof Verdict.Admitted admitted) {
      admitted.ticket().settle(120, 180_000);
    }
    return verdict;
  }

  @Benchmark
  public boolean unlimitedCaller() {
    return Limiter.unlimited(Principal.MASTER);
  }

  @Benchmark
  public long inspectAndEstimateTokens() {
    return RequestInspector.inspect(Endpoint.CHAT, RequestPathBenchmark.CHAT).estimatedPromptTokens();
  }

  /**
   * The same with a user message never seen before (a number spliced into it; building the body is
   * part of the figure): what a new prompt costs, where the repeated one above is remembered.
   */
  @Benchmark
  public long inspectAndEstimateNewTokens() {
    byte[] body = (NEW_PROMPT_HEAD + id++ + NEW_PROMPT_TAIL).getBytes(StandardCharsets.UTF_8);
    return RequestInspector.inspect(Endpoint.CHAT, body).estimatedPromptTokens();
  }

  private static final String PROMPT = new String(RequestPathBenchmark.CHAT, StandardCharsets.UTF_8);
  private static final String NEW_PROMPT_HEAD = PROMPT.substring(0, PROMPT.indexOf("three short")) + "draft ";
  private static final String NEW_PROMPT_TAIL = " in " + PROMPT.substring(PROMPT.indexOf("three short"));

  @Benchmark
  public Object inspectOnly() {
    return RequestInspector.inspect(Endpoint.CHAT, RequestPathBenchmark.CHAT);
  }
}
