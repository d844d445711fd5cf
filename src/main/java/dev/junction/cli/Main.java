package dev.junction.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code junction} command. */
@Command(
    name = "junction",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A self-hostable, OpenAI-compatible LLM inference gateway.",
    subcommands = {ServeCommand.class, SimulateCommand.class, CatalogCommand.class, BenchCommand.class})
public final class Main {

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"junction " + (version == null ? "dev" : version)};
    }
  }
}
