package dev.junction.config;

import java.util.List;

/**
 * A hosted provider that Junction sets up by itself when its API key is in the environment.
 *
 * @param name the provider name, also its profile name
 * @param kind its wire family ({@code kind:}), {@code openai} for the OpenAI-compatible ones
 * @param envVars the variables that may hold its key, first set one wins
 * @param baseUrl its documented base URL for its kind, version path included; also the default
 *     {@code base_url} of a file-declared provider whose profile has this name
 */
public record EnvironmentProvider(String name, String kind, List<String> envVars, String baseUrl) {

  public EnvironmentProvider {
    envVars = List.copyOf(envVars);
  }

  /** An OpenAI-compatible provider. */
  public EnvironmentProvider(String name, List<String> envVars, String baseUrl) {
    this(name, "openai", envVars, baseUrl);
  }
}
