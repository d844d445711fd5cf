package dev.junction.provider;

import dev.junction.api.Family;
import java.util.Map;
import java.util.Set;

/**
 * What differs between servers of one wire family: how they authenticate, the headers they need, and
 * the request parameters they refuse. One adapter per family serves them all by reading its profile.
 *
 * <p>Where a hosted provider lives and which variable holds its key are configuration facts, kept in
 * {@code config.EnvironmentProviders}.
 *
 * @param name the profile name used in config ({@code profile:}) and as the default provider name
 * @param authHeader the header carrying the key ({@code Authorization} for nearly everyone)
 * @param authPrefix prepended to the key in that header ({@code "Bearer "})
 * @param rejectedParams top-level request fields the provider refuses with a 400; removed before
 *     sending (documented per provider)
 * @param streamUsage whether it honours {@code stream_options.include_usage}
 * @param embeddings whether it serves {@code /embeddings}
 * @param extraHeaders sent with every request (Anthropic's {@code anthropic-version})
 * @param source where these facts come from (documentation URL)
 * @param family the wire family it speaks: a provider's {@code kind} uses a profile of its own family
 */
public record ProviderProfile(
    String name,
    String authHeader,
    String authPrefix,
    Set<String> rejectedParams,
    boolean streamUsage,
    boolean embeddings,
    Map<String, String> extraHeaders,
    String source,
    Family family) {

  public ProviderProfile {
    rejectedParams = Set.copyOf(rejectedParams);
    extraHeaders = Map.copyOf(extraHeaders);
  }
}
