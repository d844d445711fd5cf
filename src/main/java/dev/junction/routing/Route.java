package dev.junction.routing;

import dev.junction.catalog.Deployment;
import java.util.List;

/**
 * Where one request may go, best first: the attempt loop walks the candidates in order.
 *
 * @param model the catalog id the request resolved to
 * @param policy how the candidates were ranked ({@code fastest}, {@code cheapest}, {@code preferred},
 *     or {@code pinned} for {@code model:provider})
 */
public record Route(String model, String policy, List<Deployment> candidates) {

  public Route {
    candidates = List.copyOf(candidates);
  }
}
