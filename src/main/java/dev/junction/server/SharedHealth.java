package dev.junction.server;

import dev.junction.catalog.Deployment;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployment health shared by every replica through Redis: a breaker that opens on one replica, or a
 * 429 one replica receives, sets the deployment aside on all of them for as long as it lasts.
 *
 * <p>Each replica still runs its own breakers on what it sees; what travels is only the verdict, one
 * key per deployment holding the time until which it is set aside, expiring with it. Verdicts are
 * written without waiting, and read from a copy refreshed twice a second, so a request never waits
 * on Redis; a replica that loses Redis falls back to its own breakers.
 */
final class SharedHealth implements DeploymentHealth {

  private static final Logger LOG = LoggerFactory.getLogger(SharedHealth.class);
  private static final String PREFIX = "junction:aside:";
  /** How often {@link #refresh} should run. */
  static final long REFRESH_MS = 500;

  private final Breakers local;
  private final StatefulRedisConnection<String, String> redis;
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  /** Deployment key to the epoch millisecond until which another replica set it aside. */
  private volatile Map<String, Long> aside = Map.of();
  private boolean failing;

  /** @param deployments the catalog's, watched from the start; pinned ones join when first tried */
  SharedHealth(Breakers local, StatefulRedisConnection<String, String> redis, Collection<Deployment> deployments) {
    this.local = local;
    this.redis = redis;
    deployments.forEach(d -> known.add(key(d)));
  }

  @Override
  public boolean tryAcquire(Deployment deployment) {
    String key = key(deployment);
    known.add(key);
    Long until = aside.get(key);
    return (until == null || until <= System.currentTimeMillis()) && local.tryAcquire(deployment);
  }

  @Override
  public void succeeded(Deployment deployment, long nanos) {
    local.succeeded(deployment, nanos);
  }

  @Override
  public void failed(Deployment deployment, long nanos) {
    local.failed(deployment, nanos);
    if (local.breakerState(deployment) == CircuitBreaker.State.OPEN) {
      share(deployment, local.settings().openMs());
    }
  }

  @Override
  public void rateLimited(Deployment deployment, long retryAfterMs) {
    local.rateLimited(deployment, retryAfterMs);
    share(deployment, retryAfterMs > 0 ? retryAfterMs : local.settings().cooldownMs());
  }

  @Override
  public void released(Deployment deployment) {
    local.released(deployment);
  }

  /** Tells the other replicas, without waiting for Redis to answer. */
  private void share(Deployment deployment, long ms) {
    long until = System.currentTimeMillis() + ms;
    redis.async().set(PREFIX + key(deployment), Long.toString(until), SetArgs.Builder.px(ms));
  }

  /** Takes in every replica's verdicts on the deployments this one has used. */
  void refresh() {
    if (known.isEmpty()) {
      return;
    }
    try {
      String[] keys = known.stream().map(k -> PREFIX + k).toArray(String[]::new);
      List<KeyValue<String, String>> values = redis.sync().mget(keys);
      Map<String, Long> next = new HashMap<>();
      for (KeyValue<String, String> value : values) {
        if (value.hasValue()) {
          next.put(value.getKey().substring(PREFIX.length()), Long.parseLong(value.getValue()));
        }
      }
      aside = next;
      if (failing) {
        LOG.info("shared deployment health: Redis is reachable again");
        failing = false;
      }
    } catch (RuntimeException e) {
      aside = Map.of();
      if (!failing) {
        LOG.warn("shared deployment health: Redis unavailable, using this replica's breakers only: {}",
            e.getClass().getSimpleName());
        failing = true;
      }
    }
  }

  /** Every replica's config names a deployment by provider and model alike. */
  private static String key(Deployment deployment) {
    return deployment.provider().name() + "/" + deployment.model();
  }

}
