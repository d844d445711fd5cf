package dev.junction.bench.jmh;

import dev.junction.config.JunctionConfig.DatabaseConfig;
import dev.junction.config.JunctionConfig.LedgerConfig;
import dev.junction.ledger.Ledger;
import dev.junction.ledger.LedgerRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a request pays for its ledger record on the request path: reserving a slot and queueing the
 * record. The SQLite writer runs meanwhile, as in the gateway; each invocation's records are flushed
 * outside the measurement so that slots never run out (the refusal path would be measured instead).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LedgerEnqueueBenchmark {

  static final int BATCH = 10_000;

  Ledger ledger;
  final LedgerRecord[] records = new LedgerRecord[BATCH];
  long next;

  @Setup
  public void setUp() throws IOException {
    var file = Files.createTempDirectory("junction-jmh").resolve("ledger.db");
    ledger = Ledger.open(new DatabaseConfig("jdbc:sqlite:" + file, Optional.empty(), Optional.empty()),
        new LedgerConfig(200, 500, 100_000));
  }

  /** Request ids are the table's key, so every record gets a new one, made outside the measurement. */
  @Setup(Level.Invocation)
  public void records() {
    Instant now = Instant.now();
    for (int i = 0; i < BATCH; i++) {
      records[i] = new LedgerRecord("req_" + next++, now, "chat.completions", "bench/chat", "a", "m-a",
          LedgerRecord.Status.OK, 200, false, 1, 40, 0, 16, 72_000, 3, 3, null);
    }
  }

  @TearDown(Level.Invocation)
  public void flush() {
    ledger.flush();
  }

  @TearDown
  public void close() {
    ledger.close();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public boolean admitAndAppend() {
    boolean admitted = true;
    for (int i = 0; i < BATCH; i++) {
      admitted &= ledger.admit();
      ledger.append(records[i]);
    }
    return admitted;
  }
}
