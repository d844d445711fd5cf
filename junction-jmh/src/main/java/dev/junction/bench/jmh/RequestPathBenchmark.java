package dev.junction.bench.jmh;

import dev.junction.account.Accounts;
import dev.junction.account.Authenticator;
import dev.junction.account.KeyStore;
import dev.junction.account.Limits;
import dev.junction.account.Principal;
import dev.junction.account.VirtualKey;
import dev.junction.api.BodyRewriter;
import dev.junction.api.Endpoint;
import dev.junction.api.InspectedRequest;
import dev.junction.api.RequestInspector;
import dev.junction.api.SseScanner;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig.DatabaseConfig;
import dev.junction.config.JunctionConfig.LedgerConfig;
import dev.junction.ledger.Ledger;
import dev.junction.routing.LiveStats;
import dev.junction.routing.Route;
import dev.junction.routing.Router;
import dev.junction.catalog.Catalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The per-request work of the hot path, one step at a time, on a typical chat request. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestPathBenchmark {

  static final byte[] CHAT = ("{\"model\":\"bench/chat\",\"stream\":true,\"temperature\":0.2,\"max_tokens\":256,"
      + "\"messages\":[{\"role\":\"system\",\"content\":\"You are a concise assistant.\"},"
      + "{\"role\":\"user\",\"content\":\"Summarise the benefits of an inference gateway in three short bullet points,"
      + " mentioning failover, cost tracking and a single endpoint.\"}]}").getBytes(StandardCharsets.UTF_8);

  /** One content event as providers send it, usage-free. */
  static final byte[] EVENT = ("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
      + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" gateway\"},\"finish_reason\":null}]}\n\n")
      .getBytes(StandardCharsets.UTF_8);

  static final byte[] QUOTED_MODEL = "\"meta-llama/Llama-3.3-70B-Instruct-Turbo\"".getBytes(StandardCharsets.UTF_8);

  static final String MASTER_KEY = "jx-master-7f3a9c2e4b1d8f6a0c5e3b7d9a1f4c8e";
  static final String AUTHORIZATION = "Bearer " + MASTER_KEY;

  InspectedRequest inspected;
  Authenticator authenticator;
  /** The same gateway's check of a virtual key it has in its cache (after the first call). */
  Authenticator withKeys;
  String virtualKey;
  Ledger ledger;
  Router router;
  SseScanner scanner;

  @Setup
  public void setUp() throws IOException {
    inspected = RequestInspector.inspect(Endpoint.CHAT, CHAT);
    authenticator = new Authenticator(Optional.of(MASTER_KEY));
    Path dir = Files.createTempDirectory("junction-jmh");
    ledger = Ledger.open(new DatabaseConfig("jdbc:sqlite:" + dir.resolve("ledger.db"), Optional.empty(), Optional.empty()),
        new LedgerConfig(20, 500, 1000, Optional.of(dir.resolve("spill"))));
    KeyStore keys = KeyStore.on(ledger.database().orElseThrow());
    virtualKey = "Bearer " + keys.create(new VirtualKey("", "bench", null, List.of(), Limits.NONE, null, List.of(), null,
        null, null, null), Instant.now()).secret();
    withKeys = new Authenticator(Optional.of(MASTER_KEY), Accounts.on(keys, Duration.ofHours(1)));
    withKeys.authenticate(virtualKey, null).join();
    Path config = Files.writeString(dir.resolve("junction.yaml"), """
        providers:
          - { name: a, kind: openai, base_url: "http://127.0.0.1:1/v1" }
          - { name: b, kind: openai, base_url: "http://127.0.0.1:2/v1" }
          - { name: c, kind: openai, base_url: "http://127.0.0.1:3/v1" }
        models:
          - id: bench/chat
            aliases: [chat]
            providers:
              - { provider: a, model: m-a, input_price: 1.0, output_price: 2.0 }
              - { provider: b, model: m-b, input_price: 0.5, output_price: 1.0 }
              - { provider: c, model: m-c, input_price: 0.7, output_price: 1.4 }
        """);
    router = new Router(Catalog.of(ConfigLoader.load(config, Map.of())), "fastest", new LiveStats(), true);
    // A scanner that never sees an end marker keeps scanning content events.
    scanner = new SseScanner(true);
  }

  /** The caller's key checked against the gateway's, in constant time. */
  @Benchmark
  public Authenticator checkKey() {
    authenticator.authenticate(AUTHORIZATION, null);
    return authenticator;
  }

  /** A virtual key, found in the key cache: its hash, a cache lookup, its expiry checked. */
  @Benchmark
  public Principal checkVirtualKey() {
    return withKeys.authenticate(virtualKey, null).join();
  }

  @TearDown
  public void tearDown() {
    ledger.close();
  }

  @Benchmark
  public InspectedRequest inspectRequest() {
    return RequestInspector.inspect(Endpoint.CHAT, CHAT);
  }

  @Benchmark
  public byte[] rewriteBody() {
    return BodyRewriter.rewrite(inspected, QUOTED_MODEL, true, Set.of("logit_bias"));
  }

  @Benchmark
  public Route chooseRoute() {
    return router.route(inspected);
  }

  @Benchmark
  public byte[] scanSseEvent() {
    return scanner.feed(EVENT);
  }
}
