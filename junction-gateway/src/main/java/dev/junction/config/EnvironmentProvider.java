package dev.junction.config;

import java.util.List;

/**
 * A hosted OpenAI-compatible provider that Junction sets up by itself when its API key is in the
 * environment.
 *
 * @param name the provider name, also its profile name
 * @param envVars the variables that may hold its key, first set one wins
 * @param baseUrl its documented OpenAI-compatible base URL, version path included; also the default
 *     {@code base_url} of a file-declared provider whose profile has this name
 */
public record EnvironmentProvider(String name, List<String> envVars, String baseUrl) {

  public EnvironmentProvider {
    envVars = List.copyOf(envVars);
  }
}
