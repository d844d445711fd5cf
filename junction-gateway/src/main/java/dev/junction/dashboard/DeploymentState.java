package dev.junction.dashboard;

import dev.junction.catalog.Deployment;

/** What the gateway's breakers say of a deployment now, as routing sees it. */
public interface DeploymentState {

  /**
   * @param breaker {@code closed}, {@code open}, {@code half_open} (or another state's name in lower case)
   * @param coolingMs how long a 429's cooldown still keeps it aside, 0 when none
   */
  record View(String breaker, long coolingMs) {
    public static final View UNKNOWN = new View("closed", 0);
  }

  View of(Deployment deployment);
}
