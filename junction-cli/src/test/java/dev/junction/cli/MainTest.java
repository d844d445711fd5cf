package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The command line models only the command a user names, and still lists and suggests them all. */
class MainTest {

  @Test
  void aNamedCommandIsTheOnlyOneModelled() {
    assertThat(Main.commandLine("serve").getSubcommands()).containsOnlyKeys("serve");
  }

  @Test
  void theUsageListsEveryCommand() {
    Cli cli = new Cli();
    assertThat(cli.run("--help")).isZero();
    assertThat(cli.out()).contains("serve", "simulate", "catalog", "models", "keys", "usage", "bench");
  }

  @Test
  void aMistypedCommandIsRefusedWithTheNearestNamed() {
    Cli cli = new Cli();
    assertThat(cli.run("serv")).isNotZero();
    assertThat(cli.err()).contains("serv").contains("serve");
  }

  @Test
  void aNamedCommandsOwnHelpStillWorks() {
    Cli cli = new Cli();
    assertThat(cli.run("serve", "--help")).isZero();
    assertThat(cli.out()).contains("--config");
  }
}
