package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.Policy;
import org.junit.jupiter.api.Test;

class PolicyNamesTest {

  @Test
  void theConfigAcceptsExactlyThePoliciesRoutingCanBeNamed() {
    assertThat(ConfigReader.POLICIES).containsExactlyElementsOf(Policy.names());
  }
}
