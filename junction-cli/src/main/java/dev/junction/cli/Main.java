package dev.junction.cli;

import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code junction} command. */
@Command(
    name = "junction",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A self-hostable, OpenAI-compatible LLM inference gateway.",
    subcommands = {ServeCommand.class, SimulateCommand.class, CatalogCommand.class, ModelsCommand.class,
        KeysCommand.class, UsageCommand.class, BenchCommand.class})
public final class Main {

  public static void main(String[] args) {
    // Logging starts here, before other threads log: one that logs while another is still
    // initialising SLF4J has its call replayed, with three warning lines at every start. Its set-up
    // (about 110 ms, most of it its date format's locale data) runs while picocli builds its model,
    // which logs nothing; the command runs once both are done.
    Thread logging = Thread.ofPlatform().name("junction-logging").start(LoggerFactory::getILoggerFactory);
    CommandLine line = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    try {
      logging.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int code = line.execute(args);
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
