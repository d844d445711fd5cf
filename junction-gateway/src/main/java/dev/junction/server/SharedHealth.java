package dev.junction.server;

import dev.junction.catalog.Deployment;
import dev.junction.catalog.DeploymentId;
import dev.junction.fleet.FleetLink;
import dev.junction.fleet.Shared;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Deployment health shared by every replica through Redis: a breaker that opens on one replica, or a
 * 429 one replica receives, sets the deployment aside on all of them for as long as it lasts.
 *
 * <p>Each replica still runs its own breakers on what it sees; what travels is only the verdict, one
 * key per deployment holding the time until which it is set aside, expiring with it. Verdicts are
 * written at once without waiting, and read on each tick of the {@link FleetLink} into a copy, so a
 * request never waits on Redis; a replica that loses Redis falls back to its own breakers.
 */
final class SharedHealth implements DeploymentHealth, Shared {

  private final Breakers local;
  private final StatefulRedisConnection<String, String> redis;
  private final Set<DeploymentId> known = ConcurrentHashMap.newKeySet();
  /** Deployment to the epoch millisecond until which another replica set it aside. */
  private volatile Map<DeploymentId, Long> aside = Map.of();

  /** @param deployments the catalog's, watched from the start; pinned ones join when first tried */
  SharedHealth(Breakers local, StatefulRedisConnection<String, String> redis, Collection<Deployment> deployments) {
    this.local = local;
    this.redis = redis;
    deployments.forEach(d -> known.add(d.id()));
  }

  @Override
  public boolean tryAcquire(Deployment deployment) {
    known.add(deployment.id());
    Long until = aside.get(deployment.id());
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
    redis.async().set(FleetLink.ASIDE + deployment.id(), Long.toString(until), SetArgs.Builder.px(ms));
  }

  /** Takes in every replica's verdicts on the deployments this one has used. */
  @Override
  public CompletionStage<?> exchange(RedisAsyncCommands<String, String> commands) {
    if (known.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<DeploymentId> ids = List.copyOf(known);
    String[] keys = ids.stream().map(id -> FleetLink.ASIDE + id).toArray(String[]::new);
    return commands.mget(keys).thenAccept(values -> {
      Map<DeploymentId, Long> next = new HashMap<>();
      for (int i = 0; i < values.size(); i++) {
        if (values.get(i).hasValue()) {
          next.put(ids.get(i), Long.parseLong(values.get(i).getValue()));
        }
      }
      aside = next;
    });
  }

  @Override
  public void unreachable() {
    aside = Map.of();
  }
}
