package dev.junction.routing;

import dev.junction.api.Json;
import dev.junction.catalog.Deployment;
import dev.junction.catalog.DeploymentId;
import dev.junction.fleet.FleetLink;
import dev.junction.fleet.Shared;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Live statistics shared between the replicas of one gateway, so that every replica routes on what
 * all of them measured. On each tick of the {@link FleetLink} a replica writes its own fresh
 * snapshots, one Redis hash per deployment with a field per replica, and reads the others'.
 *
 * <p>Nothing touches Redis on the request path: routing reads the last merged view from memory. A
 * replica that loses Redis routes on its own measurements until it is back; the entries expire on
 * their own, so a replica that stops leaves nothing behind for long.
 */
public final class FleetStats implements Shared {

  private static final long KEY_TTL_SECONDS = 120;

  /** One replica's snapshot as stored: null where nothing was measured. */
  record Wire(@Nullable Double ttftMs, @Nullable Double tokensPerSecond, double errorRate, int inFlight, double peakLatencyMs, long at) {

    static Wire of(LiveStats.Snapshot s, long now) {
      return new Wire(number(s.ttftMs()), number(s.tokensPerSecond()), s.errorRate(), s.inFlight(),
          s.peakLatencyMs(), now);
    }

    LiveStats.Snapshot snapshot() {
      return new LiveStats.Snapshot(ttftMs == null ? Double.NaN : ttftMs,
          tokensPerSecond == null ? Double.NaN : tokensPerSecond, errorRate, inFlight, peakLatencyMs);
    }

    private static @Nullable Double number(double value) {
      return Double.isNaN(value) ? null : value;
    }
  }

  private final LiveStats stats;
  private final Map<DeploymentId, Deployment> known = new ConcurrentHashMap<>();
  private final String replica = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());

  /** @param deployments the catalog's, watched from the start; pinned ones join when first measured */
  public FleetStats(LiveStats stats, Collection<Deployment> deployments) {
    this.stats = stats;
    deployments.forEach(d -> known.put(d.id(), d));
  }

  /** Publishes this replica's view and reads everyone else's, in the same pipelined tick. */
  @Override
  public CompletionStage<?> exchange(RedisAsyncCommands<String, String> redis) {
    long now = System.currentTimeMillis();
    List<RedisFuture<?>> writes = new ArrayList<>();
    for (Deployment d : stats.tracked()) {
      LiveStats.Snapshot s = stats.local(d);
      if (!s.informed() && s.inFlight() == 0) {
        continue;
      }
      known.putIfAbsent(d.id(), d);
      String key = FleetLink.STATS + d.id();
      writes.add(redis.hset(key, replica, Json.MAPPER.writeValueAsString(Wire.of(s, now))));
      writes.add(redis.expire(key, KEY_TTL_SECONDS));
    }
    Map<Deployment, RedisFuture<Map<String, String>>> reads = new HashMap<>();
    known.forEach((id, d) -> reads.put(d, redis.hgetall(FleetLink.STATS + id)));
    List<CompletableFuture<?>> all = new ArrayList<>();
    writes.forEach(w -> all.add(w.toCompletableFuture()));
    reads.values().forEach(r -> all.add(r.toCompletableFuture()));
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenRun(() -> stats.fleet(others(reads, now)));
  }

  private Map<Deployment, List<LiveStats.Snapshot>> others(
      Map<Deployment, RedisFuture<Map<String, String>>> reads, long now) {
    long oldest = now - LiveStats.STALE_NANOS / 1_000_000;
    Map<Deployment, List<LiveStats.Snapshot>> others = new HashMap<>();
    reads.forEach((deployment, read) -> {
      for (Map.Entry<String, String> field : read.toCompletableFuture().join().entrySet()) {
        if (field.getKey().equals(replica)) {
          continue;
        }
        Wire wire = Json.MAPPER.readValue(field.getValue(), Wire.class);
        if (wire.at() >= oldest) {
          others.computeIfAbsent(deployment, d -> new ArrayList<>()).add(wire.snapshot());
        }
      }
    });
    return others;
  }

  /** Stale views of others are worse than none. */
  @Override
  public void unreachable() {
    stats.fleet(Map.of());
  }
}
