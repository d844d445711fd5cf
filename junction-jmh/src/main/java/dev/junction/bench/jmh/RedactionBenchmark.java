package dev.junction.bench.jmh;

import dev.junction.config.Secrets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** {@link Secrets#redact} on a provider's error message, as every failed attempt runs it. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RedactionBenchmark {

  static final String MESSAGE = "Provider groq answered 400: Invalid request: `max_tokens` must be less than or "
      + "equal to `8192`, the maximum value for `max_tokens` is less than the `context_window` for this model.";

  /** How many credentials the config holds: a few providers, or a large fleet of them. */
  @Param({"4", "64"})
  int secrets;

  Secrets known;
  String withKey;

  @Setup
  public void setUp() {
    known = new Secrets();
    for (int i = 0; i < secrets; i++) {
      known.register("sk-proj-" + Integer.toHexString(0x5eed0000 + i * 7919) + "Q9f3T7kLm2Xc8Vb1Nz" + i);
    }
    withKey = MESSAGE + " Key used: sk-proj-" + Integer.toHexString(0x5eed0000) + "Q9f3T7kLm2Xc8Vb1Nz0.";
  }

  @Benchmark
  public String noSecretInTheText() {
    return known.redact(MESSAGE);
  }

  @Benchmark
  public String oneSecretInTheText() {
    return known.redact(withKey);
  }
}
