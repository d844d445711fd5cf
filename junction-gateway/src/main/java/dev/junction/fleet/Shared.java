package dev.junction.fleet;

import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.concurrent.CompletionStage;

/**
 * Something the replicas of one gateway share through Redis, exchanged on the {@link FleetLink}'s
 * one schedule. An exchange sends its commands without waiting for any answer, so that the link
 * pipelines every command of one tick on its one connection: a tick costs about one round trip,
 * whatever the number of deployments.
 */
public interface Shared {

  /**
   * Sends this tick's commands.
   *
   * @return completes once the answers are taken in, exceptionally when Redis did not answer
   */
  CompletionStage<?> exchange(RedisAsyncCommands<String, String> redis);

  /** Redis did not answer this tick: fall back to what this replica knows on its own. */
  void unreachable();
}
