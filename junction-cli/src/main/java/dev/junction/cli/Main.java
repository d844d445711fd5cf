package dev.junction.cli;

import java.util.List;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code junction} command. */
@Command(
    name = "junction",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A self-hostable, OpenAI-compatible LLM inference gateway.")
public final class Main {

  /** In the order {@code --help} lists them. */
  private static final List<Class<?>> SUBCOMMANDS = List.of(ServeCommand.class, SimulateCommand.class,
      CatalogCommand.class, ModelsCommand.class, KeysCommand.class, UsageCommand.class, BenchCommand.class);

  public static void main(String[] args) {
    // Logging starts here, before other threads log: one that logs while another is still
    // initialising SLF4J has its call replayed, with three warning lines at every start. Its set-up
    // (about 110 ms, most of it its date format's locale data) runs while picocli builds its model,
    // which logs nothing; the command runs once both are done.
    Thread logging = Thread.ofPlatform().name("junction-logging").start(LoggerFactory::getILoggerFactory);
    CommandLine line = commandLine(args.length == 0 ? "" : args[0]);
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

  /**
   * The command line with the subcommand named first, or with all of them when none is (for the usage
   * list and picocli's suggestions). picocli builds a model of every command it is given, by
   * reflection, before parsing: all of them took 90 ms of {@code serve}'s start-up.
   */
  static CommandLine commandLine(String first) {
    CommandLine line = new CommandLine(new Main());
    List<Class<?>> named = SUBCOMMANDS.stream()
        .filter(c -> c.getAnnotation(Command.class).name().equals(first)).toList();
    for (Class<?> subcommand : named.isEmpty() ? SUBCOMMANDS : named) {
      line.addSubcommand(subcommand);
    }
    return line.setCaseInsensitiveEnumValuesAllowed(true);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"junction " + (version == null ? "dev" : version)};
    }
  }
}
