package dev.junction.routing;

import dev.junction.catalog.Deployment;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares live statistics between the replicas of one gateway through Redis, so that every replica
 * routes on what all of them measured. Once a second each replica writes its own fresh snapshots,
 * one Redis hash per deployment with a field per replica, and reads the others'.
 *
 * <p>The connection is the gateway's and outlives this. Nothing touches Redis on the request path: routing reads the last merged view from memory. A
 * replica that loses Redis routes on its own measurements until it is back; the fleet's entries
 * expire on their own, so a replica that stops leaves nothing behind for long.
 */
public final class FleetStats {

  private static final Logger LOG = LoggerFactory.getLogger(FleetStats.class);
  private static final String PREFIX = "junction:stats:";
  /** How often {@link #sync} should run. */
  public static final long PERIOD_MS = 1_000;
  private static final long KEY_TTL_SECONDS = 120;

  private final LiveStats stats;
  private final Map<String, Deployment> known = new HashMap<>();
  private final String replica = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  private final StatefulRedisConnection<String, String> connection;
  private boolean failing;

  private FleetStats(StatefulRedisConnection<String, String> connection, LiveStats stats,
      Collection<Deployment> deployments) {
    this.stats = stats;
    this.connection = connection;
    deployments.forEach(d -> known.put(key(d), d));
  }

  /** The caller runs {@link #sync} every {@link #PERIOD_MS}, off the request path. */
  public static FleetStats of(StatefulRedisConnection<String, String> connection, LiveStats stats,
      Collection<Deployment> deployments) {
    return new FleetStats(connection, stats, deployments);
  }

  /** One exchange: publish this replica's view, then take in everyone else's. */
  public void sync() {
    try {
      RedisCommands<String, String> redis = connection.sync();
      publish(redis);
      stats.fleet(read(redis));
      if (failing) {
        LOG.info("fleet statistics: Redis is reachable again");
        failing = false;
      }
    } catch (RuntimeException e) {
      stats.fleet(Map.of()); // stale views of others are worse than none
      if (!failing) {
        LOG.warn("fleet statistics: Redis unavailable, routing on this replica's own measurements: {}",
            e.getClass().getSimpleName());
        failing = true;
      }
    }
  }

  private void publish(RedisCommands<String, String> redis) {
    long now = System.currentTimeMillis();
    for (Deployment d : stats.tracked()) {
      LiveStats.Snapshot s = stats.local(d);
      if (!s.informed() && s.inFlight() == 0) {
        continue;
      }
      String key = key(d);
      known.putIfAbsent(key, d);
      redis.hset(PREFIX + key, replica, encode(s, now));
      redis.expire(PREFIX + key, KEY_TTL_SECONDS);
    }
  }

  private Map<Deployment, List<LiveStats.Snapshot>> read(RedisCommands<String, String> redis) {
    long oldest = System.currentTimeMillis() - LiveStats.STALE_NANOS / 1_000_000;
    Map<Deployment, List<LiveStats.Snapshot>> others = new HashMap<>();
    Set<String> keys = new LinkedHashSet<>(known.keySet());
    for (String key : keys) {
      for (Map.Entry<String, String> field : redis.hgetall(PREFIX + key).entrySet()) {
        if (field.getKey().equals(replica)) {
          continue;
        }
        String[] parts = field.getValue().split("\\|");
        if (parts.length == 6 && Long.parseLong(parts[5]) >= oldest) {
          others.computeIfAbsent(known.get(key), d -> new ArrayList<>()).add(decode(parts));
        }
      }
    }
    return others;
  }

  /** Deployments are named by provider and model, which every replica's config spells the same. */
  private static String key(Deployment d) {
    return d.provider().name() + "/" + d.model();
  }

  private static String encode(LiveStats.Snapshot s, long now) {
    return s.ttftMs() + "|" + s.tokensPerSecond() + "|" + s.errorRate() + "|" + s.inFlight() + "|"
        + s.peakLatencyMs() + "|" + now;
  }

  private static LiveStats.Snapshot decode(String[] parts) {
    return new LiveStats.Snapshot(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]),
        Double.parseDouble(parts[2]), Integer.parseInt(parts[3]), Double.parseDouble(parts[4]));
  }

}
