package dev.junction.account;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who a request is served for, decided before any of its work is done. It travels with the request
 * to routing, limits and the ledger.
 *
 * @param name how the caller is named in logs and records: {@code master}, {@code anonymous} on a
 *     gateway with no master key, or a virtual key's name; never a secret
 * @param keyId the virtual key's id, or null for the master key and an open gateway
 * @param team the key's team, or null
 * @param keyLimits what the key itself may use
 * @param teamLimits what the key's team may use, counted over all of its keys ({@link Limits#NONE}
 *     without a team)
 * @param models the model ids or patterns the key may call; empty means any
 */
public record Principal(String name, @Nullable String keyId, @Nullable String team, Limits keyLimits, Limits teamLimits,
    List<String> models) {

  /** Any caller of a gateway with no master key (it then listens on loopback only). */
  public static final Principal ANONYMOUS = new Principal("anonymous", null, null, Limits.NONE, Limits.NONE, List.of());

  /** A caller that presented the master key. */
  public static final Principal MASTER = new Principal("master", null, null, Limits.NONE, Limits.NONE, List.of());

  public Principal {
    models = List.copyOf(models);
  }

  /**
   * Whether the key may call this model: {@code models} is empty, or one of its entries is the model's
   * id or a pattern covering it, where {@code *} stands for any run of characters ({@code openai/*},
   * {@code *-mini}).
   */
  public boolean allows(String model) {
    if (models.isEmpty()) {
      return true;
    }
    for (String pattern : models) {
      if (ModelPatterns.matches(pattern, model)) {
        return true;
      }
    }
    return false;
  }

  /** True for the master key (and an open gateway): may administer, and is never limited. */
  public boolean master() {
    return keyId == null;
  }
}
