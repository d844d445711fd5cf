package dev.junction.server;

import dev.junction.catalog.Deployment;

/**
 * What the gateway knows about each deployment's recent health (a provider's model, under that
 * provider's credential): whether its circuit is open and whether it is cooling down after a 429.
 * The attempt loop asks it before each try and tells it how each try ended.
 *
 * <p>Two signals, one rule. This one decides <em>whether</em> a deployment is tried: one whose
 * breaker is open or that is cooling down, on this replica or (with Redis) on any other, is skipped
 * while another candidate is ready, and tried only as a last resort. Live statistics
 * ({@code LiveStats}) decide only <em>where in line</em> it stands: a deployment whose recent
 * attempts mostly failed ranks last, but is never skipped for it. When the two disagree, the breaker
 * wins on whether, the statistics on the order.
 *
 * <p>{@link Breakers} keeps the state in this process; {@link SharedHealth} adds the other replicas'
 * verdicts.
 */
interface DeploymentHealth {

  /**
   * Whether the deployment may be tried now. True takes a permit (a half-open probe counts); the
   * caller then reports the try with exactly one of {@link #succeeded}, {@link #failed} or
   * {@link #released}.
   */
  boolean tryAcquire(Deployment deployment);

  /** The try served the request. */
  void succeeded(Deployment deployment, long nanos);

  /** The try failed in a way that says something about the deployment (5xx, timeout, lost connection). */
  void failed(Deployment deployment, long nanos);

  /**
   * The deployment answered 429: it is set aside until {@code retryAfterMs} passes (a default when
   * 0). Busy is not broken: the try itself is reported as {@link #released}.
   */
  void rateLimited(Deployment deployment, long retryAfterMs);

  /** The try ended without saying anything about the deployment (the client's error, a cancel). */
  void released(Deployment deployment);
}
