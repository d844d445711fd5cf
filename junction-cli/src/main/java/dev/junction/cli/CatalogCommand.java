package dev.junction.cli;

import dev.junction.config.BundledCatalog;
import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig.DeploymentConfig;
import dev.junction.config.JunctionConfig.ModelConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code junction catalog}: what models Junction knows, at what price, and whether a catalog file holds up. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
    description = "List, search and validate the model catalog.",
    subcommands = {CatalogCommand.ListModels.class, CatalogCommand.Search.class, CatalogCommand.Validate.class})
final class CatalogCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where the listed models come from: a config's served catalog, or the whole bundled one. */
  abstract static class Source {
    @Spec CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
        description = "List what this config serves (bundled models whose provider it configures, and its own).")
    @Nullable Path config;

    /** @return null after printing the config's problems */
    @Nullable List<ModelConfig> models() {
      if (config == null) {
        return BundledCatalog.models();
      }
      try {
        return ConfigLoader.load(config, System.getenv()).models();
      } catch (ConfigException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return null;
      }
    }

    int print(List<ModelConfig> models) {
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-46s %-12s %10s %10s %10s %9s%n", "MODEL", "PROVIDER", "IN $/1M", "OUT $/1M", "CACHED", "CONTEXT");
      for (ModelConfig model : models) {
        String id = model.id();
        for (DeploymentConfig d : model.providers()) {
          long context = d.contextLength() > 0 ? d.contextLength() : model.contextLength();
          out.printf(Locale.ROOT, "%-46s %-12s %10s %10s %10s %9s%n", id, d.provider(), price(d.inputPrice()),
              price(d.outputPrice()), price(d.cachedInputPrice()), context > 0 ? Long.toString(context) : "-");
          id = "";
        }
      }
      out.flush();
      return 0;
    }

    private static String price(double usd) {
      return String.format(Locale.ROOT, "%.4f", usd).replaceAll("0{1,2}$", "");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The models with their providers, prices (USD per 1M tokens) and context lengths.")
  static final class ListModels extends Source implements Callable<Integer> {
    @Override
    public Integer call() {
      List<ModelConfig> models = models();
      return models == null ? 2 : print(models);
    }
  }

  @Command(name = "search", mixinStandardHelpOptions = true,
      description = "The models whose id, alias, provider or provider model id contains TERM (any case).")
  static final class Search extends Source implements Callable<Integer> {
    @Parameters(paramLabel = "TERM")
    String term;

    @Override
    public Integer call() {
      List<ModelConfig> models = models();
      if (models == null) {
        return 2;
      }
      String t = term.toLowerCase(Locale.ROOT);
      List<ModelConfig> found = models.stream().filter(m -> matches(m, t)).toList();
      if (found.isEmpty()) {
        spec.commandLine().getErr().println("No model matches \"" + term + "\".");
        return 1;
      }
      return print(found);
    }

    private static boolean matches(ModelConfig m, String term) {
      return contains(m.id(), term)
          || m.aliases().stream().anyMatch(a -> contains(a, term))
          || m.providers().stream().anyMatch(d -> contains(d.provider(), term) || contains(d.model(), term));
    }

    private static boolean contains(String text, String term) {
      return text.toLowerCase(Locale.ROOT).contains(term);
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = "Checks a catalog file (default: the bundled one): every price has a source and an "
          + "as_of date, prices are not negative, providers are known, ids and aliases are unique.")
  static final class Validate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "0..1", description = "A catalog file in the bundled format.")
    @Nullable Path file;

    @Override
    public Integer call() {
      List<ModelConfig> models;
      try {
        models = file == null ? BundledCatalog.models() : BundledCatalog.load(file);
      } catch (ConfigException e) {
        spec.commandLine().getErr().println(e.getMessage());
        spec.commandLine().getErr().flush();
        return 1;
      }
      long deployments = models.stream().mapToLong(m -> m.providers().size()).sum();
      spec.commandLine().getOut().println((file == null ? "bundled catalog" : file.toString()) + ": "
          + models.size() + " models, " + deployments + " deployments, valid.");
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
