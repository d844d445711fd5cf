package dev.junction.server;

import dev.junction.catalog.Deployment;

/**
 * What the gateway knows about each deployment's recent health (a provider's model, under that
 * provider's credential): whether its circuit is open and whether it is cooling down after a 429.
 * The attempt loop asks it before each try and tells it how each try ended.
 *
 * <p>The seam for sharing this state between replicas (e.g. in Redis): {@link Breakers} keeps it in
 * this process only.
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
