package dev.junction.limits;

import dev.junction.account.Limits;
import dev.junction.account.Principal;
import dev.junction.account.SpendHistory.Scope;
import dev.junction.api.Bounded;
import dev.junction.catalog.Pricing;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** Whether a request may go on, and where its caller stands against its limits. */
public sealed interface Verdict {

  Quota quota();

  /** Admitted: the ticket is settled when the request ends. */
  record Admitted(Ticket ticket, Quota quota) implements Verdict {

    /** For requests admitted without looking at any counter. */
    static final Admitted UNCHECKED = new Admitted(Ticket.NONE, Quota.NONE);
  }

  /**
   * Refused, and nothing consumed.
   *
   * @param scope whose limit it was: the key's or its team's ({@code null} when the counters could not be read)
   * @param message for the client: names the limit, the account and when to come back
   * @param retryAfterMs how long until the request could be admitted, 0 when unknown or never
   */
  record Refused(Reason reason, @Nullable Scope scope, String message, long retryAfterMs, Quota quota) implements Verdict {

    /** The counters could not be read and {@code redis.on_failure} is {@code closed}. */
    static final Refused UNAVAILABLE = new Refused(Reason.UNAVAILABLE, null,
        "Usage limits cannot be checked right now; retry shortly.", 1_000, Quota.NONE);

    /** Over one of the account's per-minute or parallel limits. */
    static Refused limited(Reason reason, Scope scope, Principal principal, Limits limits, long retryAfterMs,
        long demandTokens, Quota quota) {
      String account = account(scope, principal);
      String message = switch (reason) {
        case REQUESTS -> "Rate limit reached for " + account + ": " + limits.rpm() + " requests per minute.";
        case TOKENS -> demandTokens > limits.tpm()
            ? "This request needs about " + demandTokens + " tokens, more than the " + limits.tpm()
                + " tokens per minute allowed for " + account + "; lower max_tokens or shorten the prompt."
            : "Rate limit reached for " + account + ": " + limits.tpm() + " tokens per minute.";
        case PARALLEL -> "Rate limit reached for " + account + ": " + limits.maxParallel()
            + " requests in flight at once.";
        default -> throw new IllegalArgumentException(reason.name());
      };
      if (retryAfterMs > 0) {
        message += " Retry after " + Math.max(1, (retryAfterMs + 999) / 1000) + " s.";
      }
      return new Refused(reason, scope, message, retryAfterMs, quota);
    }

    /** Over its budget for the period: names the budget and when it starts again. */
    static Refused overBudget(Scope scope, Principal principal, Limits limits, @Nullable Instant resets, long nowMs,
        Quota quota) {
      String message = "The budget of " + account(scope, principal) + " is used up: "
          + Pricing.usd(limits.budgetNanos()).toPlainString() + " USD "
          + switch (limits.budgetPeriod()) {
            case DAY -> "per day (UTC); it resets at " + resets + ".";
            case WEEK -> "per week (UTC, from Monday); it resets at " + resets + ".";
            case MONTH -> "per month (UTC); it resets at " + resets + ".";
            case TOTAL -> "in total; it does not reset.";
          };
      long retry = resets == null ? 0 : Math.max(0, resets.toEpochMilli() - nowMs);
      return new Refused(Reason.BUDGET, scope, message, retry, quota);
    }

    private static String account(Scope scope, Principal principal) {
      return scope == Scope.KEY
          ? "key '" + Bounded.text(principal.name(), Bounded.NAME) + "'"
          : "team '" + Bounded.text(String.valueOf(principal.team()), Bounded.NAME) + "'";
    }
  }

  /** Why a request was refused; its {@link #label} is a metric label. */
  enum Reason {
    BUDGET("budget"), REQUESTS("rpm"), TOKENS("tpm"), PARALLEL("max_parallel"), UNAVAILABLE("unavailable");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }
}
