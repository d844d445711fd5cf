package dev.junction.account;

import java.util.List;
import java.util.Map;
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
 * @param providerKeys the key's own credentials, by provider name (bring your own key): requests to
 *     those providers are signed with them instead of the gateway's; an empty value is one that could
 *     not be read (sealed under another master key). Never printed.
 */
public record Principal(String name, @Nullable String keyId, @Nullable String team, Limits keyLimits, Limits teamLimits,
    List<String> models, Map<String, String> providerKeys) {

  /** Any caller of a gateway with no master key (it then listens on loopback only). */
  public static final Principal ANONYMOUS = new Principal("anonymous", null, null, Limits.NONE, Limits.NONE, List.of(),
      Map.of());

  /** A caller that presented the master key. */
  public static final Principal MASTER = new Principal("master", null, null, Limits.NONE, Limits.NONE, List.of(),
      Map.of());

  public Principal {
    models = List.copyOf(models);
    providerKeys = Map.copyOf(providerKeys);
  }

  /** A caller without credentials of its own. */
  public Principal(String name, @Nullable String keyId, @Nullable String team, Limits keyLimits, Limits teamLimits,
      List<String> models) {
    this(name, keyId, team, keyLimits, teamLimits, models, Map.of());
  }

  /** The key's own credential for this provider, or null to use the gateway's. */
  public @Nullable String ownKey(String provider) {
    return providerKeys.get(provider);
  }

  /** Names the providers it has credentials for, never the credentials. */
  @Override
  public String toString() {
    return "Principal[name=" + name + ", keyId=" + keyId + ", team=" + team + ", keyLimits=" + keyLimits
        + ", teamLimits=" + teamLimits + ", models=" + models + ", providerKeys=" + providerKeys.keySet() + "]";
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
