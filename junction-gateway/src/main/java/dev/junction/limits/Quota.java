package dev.junction.limits;

/**
 * Where a caller stands against its per-minute limits, as OpenAI's {@code x-ratelimit-*} headers say
 * it: of the key and the team, the one with less left. A limit of 0 means that dimension is not
 * limited, and its headers are left out.
 *
 * @param requestsResetMs until the oldest request in the window leaves it
 * @param tokensResetMs until the oldest tokens in the window leave it
 */
public record Quota(long requestLimit, long requestsRemaining, long requestsResetMs,
    long tokenLimit, long tokensRemaining, long tokensResetMs) {

  public static final Quota NONE = new Quota(0, 0, 0, 0, 0, 0);

  public Quota {
    requestsRemaining = Math.max(0, requestsRemaining);
    tokensRemaining = Math.max(0, tokensRemaining);
    requestsResetMs = Math.max(0, requestsResetMs);
    tokensResetMs = Math.max(0, tokensResetMs);
  }

  /** The tighter of two quotas, dimension by dimension. */
  Quota tighter(Quota other) {
    boolean otherRequests = other.requestLimit > 0
        && (requestLimit == 0 || other.requestsRemaining < requestsRemaining);
    boolean otherTokens = other.tokenLimit > 0 && (tokenLimit == 0 || other.tokensRemaining < tokensRemaining);
    return new Quota(
        otherRequests ? other.requestLimit : requestLimit,
        otherRequests ? other.requestsRemaining : requestsRemaining,
        otherRequests ? other.requestsResetMs : requestsResetMs,
        otherTokens ? other.tokenLimit : tokenLimit,
        otherTokens ? other.tokensRemaining : tokensRemaining,
        otherTokens ? other.tokensResetMs : tokensResetMs);
  }
}
