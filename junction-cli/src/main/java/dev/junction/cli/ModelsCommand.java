package dev.junction.cli;

import dev.junction.weights.LocalModel;
import dev.junction.weights.LocalModel.Format;
import dev.junction.weights.WeightsScanner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code junction models}: the open-weight models already on this machine, as catalog entries. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "Find open-weight models on disk and print their catalog entries.",
    subcommands = {ModelsCommand.Scan.class})
final class ModelsCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "scan", mixinStandardHelpOptions = true,
      description = {"Finds models in the Hugging Face cache layout and in plain folders (config.json, or "
          + ".gguf files) and prints them as `models:` entries of the config, ready to paste, with the "
          + "command that serves each.",
          "Default DIR: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub."})
  static final class Scan implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DIR", arity = "0..*", description = "Folders (or .gguf files) to scan.")
    List<Path> dirs = new ArrayList<>();

    @Option(names = "--provider", paramLabel = "NAME", defaultValue = "local",
        description = "The provider name the entries route to (default: ${DEFAULT-VALUE}).")
    String provider;

    @Override
    public Integer call() {
      List<Path> roots = dirs.isEmpty()
          ? List.of(WeightsScanner.defaultRoot(System.getenv(), Path.of(System.getProperty("user.home"))))
          : dirs;
      List<String> problems = new ArrayList<>();
      List<LocalModel> models = WeightsScanner.scan(roots, problems);
      PrintWriter err = spec.commandLine().getErr();
      problems.forEach(p -> err.println("skipped " + p));
      err.flush();
      if (models.isEmpty()) {
        err.println("No model found under " + roots + ". Download one with `huggingface-cli download <id>`, "
            + "or name the folder that holds it.");
        return 1;
      }
      print(spec.commandLine().getOut(), roots, models);
      return 0;
    }

    private void print(PrintWriter out, List<Path> roots, List<LocalModel> models) {
      out.printf("# %d model%s found under %s%n", models.size(), models.size() == 1 ? "" : "s",
          String.join(", ", roots.stream().map(Path::toString).toList()));
      out.printf("# Serve them (commands below), then add the engine as a provider:%n");
      out.printf("#   providers:%n#     - { name: %s, kind: %s, base_url: \"http://127.0.0.1:8000/v1\" }%n",
          provider, models.stream().allMatch(m -> m.format() == Format.GGUF) ? "llamacpp" : "vllm");
      out.println("models:");
      for (LocalModel m : models) {
        out.printf("  # %s%n", summary(m));
        out.printf("  # serve: %s%n", m.serveCommand());
        out.printf("  - id: %s%n", yaml(m.id()));
        if (m.contextLength() > 0) {
          out.printf("    context_length: %d%n", m.contextLength());
        }
        out.printf("    capabilities: [%s]%n", String.join(", ", m.capabilities()));
        out.printf("    providers:%n      - { provider: %s, model: %s, input_price: 0, output_price: 0 }%n",
            yaml(provider), yaml(m.id()));
      }
      out.flush();
    }

    private static String summary(LocalModel m) {
      List<String> parts = new ArrayList<>();
      parts.add(m.architecture() == null ? "unknown architecture" : m.architecture());
      if (m.parameters() > 0) {
        parts.add(String.format(Locale.ROOT, "%.1fB parameters", m.parameters() / 1e9));
      }
      if (m.precision() != null) {
        parts.add(m.precision());
      }
      parts.add(m.chatTemplate() ? "chat template" : "no chat template (completions only)");
      return String.join(", ", parts);
    }

    /** Quoted when YAML would read the id as something else (a colon, a leading symbol, …). */
    private static String yaml(String s) {
      return s.matches("[A-Za-z0-9][A-Za-z0-9._/-]*") ? s : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
  }
}
