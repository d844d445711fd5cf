package dev.junction.weights;

import dev.junction.weights.LocalModel.Format;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Finds the models already on this machine, so that serving one with vLLM or llama.cpp and routing
 * to it starts from what is on disk rather than from a hand-written catalog entry.
 *
 * <p>Two layouts are understood. The Hugging Face hub cache ({@code huggingface-cli download}):
 * {@code models--org--name/snapshots/<revision>/}, where the folder name gives the model's hub id
 * and {@code refs/main} the revision in use. And plain folders: any folder with a {@code config.json}
 * is a model named after the folder; any {@code .gguf} file is one named after the file. Multi-part
 * GGUF files count once, and llama.cpp's vision projectors ({@code mmproj-*.gguf}) are not models but
 * mark the one beside them as seeing images.
 */
public final class WeightsScanner {

  private static final String HUB_PREFIX = "models--";
  private static final int MAX_DEPTH = 6;

  private WeightsScanner() {}

  /**
   * Where {@code huggingface-cli} keeps its cache: {@code HF_HUB_CACHE}, else {@code HF_HOME/hub},
   * else {@code ~/.cache/huggingface/hub} — the library's own order.
   */
  public static Path defaultRoot(Map<String, String> env, Path home) {
    String cache = env.get("HF_HUB_CACHE");
    if (cache != null && !cache.isBlank()) {
      return Path.of(cache);
    }
    String hfHome = env.get("HF_HOME");
    if (hfHome != null && !hfHome.isBlank()) {
      return Path.of(hfHome, "hub");
    }
    return home.resolve(".cache/huggingface/hub");
  }

  /**
   * Every model under the roots, sorted by id; a folder that cannot be read is skipped, not fatal.
   *
   * @param problems receives one line per file that looked like a model but could not be read
   */
  public static List<LocalModel> scan(List<Path> roots, List<String> problems) {
    List<LocalModel> found = new ArrayList<>();
    for (Path root : roots) {
      if (Files.isDirectory(root)) {
        walk(root, found, problems);
      } else if (isGguf(root)) {
        gguf(root, found, problems);
      } else {
        problems.add(root + ": no such folder");
      }
    }
    found.sort(Comparator.comparing(LocalModel::id));
    return found;
  }

  private static void walk(Path root, List<LocalModel> found, List<String> problems) {
    try {
      Files.walkFileTree(root, java.util.Set.of(), MAX_DEPTH, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
          if (name.startsWith(HUB_PREFIX)) {
            hubEntry(dir, found, problems);
            return FileVisitResult.SKIP_SUBTREE;
          }
          if (Files.isRegularFile(dir.resolve("config.json"))) {
            add(HfSnapshot.read(name, dir), dir, found, problems);
            return FileVisitResult.SKIP_SUBTREE;
          }
          return name.startsWith(".") && !dir.equals(root) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (isGguf(file)) {
            gguf(file, found, problems);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          problems.add(file + ": " + e.getMessage());
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      problems.add(root + ": " + e.getMessage());
    }
  }

  /** {@code models--org--name}: the revision {@code refs/main} names, else the newest snapshot. */
  private static void hubEntry(Path entry, List<LocalModel> found, List<String> problems) {
    String id = entry.getFileName().toString().substring(HUB_PREFIX.length()).replace("--", "/");
    Optional<Path> snapshot = snapshot(entry);
    if (snapshot.isEmpty()) {
      problems.add(entry + ": no snapshot downloaded");
      return;
    }
    Path dir = snapshot.get();
    if (Files.isRegularFile(dir.resolve("config.json"))) {
      add(HfSnapshot.read(id, dir), dir, found, problems);
      return;
    }
    // A GGUF-only repository (e.g. bartowski/...-GGUF): each quantization is a model of its own.
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(WeightsScanner::isGguf).sorted().forEach(f -> gguf(f, found, problems));
    } catch (IOException e) {
      problems.add(dir + ": " + e.getMessage());
    }
  }

  private static Optional<Path> snapshot(Path entry) {
    Path snapshots = entry.resolve("snapshots");
    try {
      Path ref = entry.resolve("refs/main");
      if (Files.isRegularFile(ref)) {
        Path named = snapshots.resolve(Files.readString(ref).strip());
        if (Files.isDirectory(named)) {
          return Optional.of(named);
        }
      }
      if (!Files.isDirectory(snapshots)) {
        return Optional.empty();
      }
      try (Stream<Path> revisions = Files.list(snapshots)) {
        return revisions.filter(Files::isDirectory)
            .max(Comparator.comparing(p -> p.toFile().lastModified()));
      }
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void add(@Nullable LocalModel model, Path dir, List<LocalModel> found, List<String> problems) {
    if (model == null) {
      problems.add(dir + ": config.json is not readable JSON");
    } else {
      found.add(model);
    }
  }

  private static boolean isGguf(Path file) {
    String name = file.getFileName().toString();
    // Later parts of a split file (-00002-of-00003.gguf) belong to the first one.
    return name.endsWith(".gguf") && !name.startsWith("mmproj") && !name.matches(".*-000(0[2-9]|[1-9]\\d)-of-\\d+\\.gguf");
  }

  private static void gguf(Path file, List<LocalModel> found, List<String> problems) {
    try {
      found.add(GgufModel.describe(file));
    } catch (IOException e) {
      problems.add(file + ": " + e.getMessage());
    }
  }

  /** Reads a GGUF file's header into a {@link LocalModel}. */
  private static final class GgufModel {

    static LocalModel describe(Path file) throws IOException {
      GgufHeader header = GgufHeader.read(file);
      String arch = header.string("general.architecture");
      String name = file.getFileName().toString().replaceFirst("(-00001-of-\\d+)?\\.gguf$", "");
      String template = header.string("tokenizer.chat_template");
      List<String> capabilities = new ArrayList<>();
      boolean embeddings = arch != null && (header.metadata.containsKey(arch + ".pooling_type") || arch.contains("bert"));
      if (embeddings) {
        capabilities.add("embeddings");
      } else {
        if (template != null && template.contains("tools")) {
          capabilities.add("tools");
        }
        if (hasProjector(file)) {
          capabilities.add("vision");
        }
        // llama-server constrains output to a JSON schema (grammars) and streams.
        capabilities.addAll(List.of("json_schema", "json_object", "streaming"));
      }
      return new LocalModel(name, file, Format.GGUF, arch, arch == null ? 0 : header.number(arch + ".context_length"),
          header.parameters, header.quantization(), template != null, capabilities);
    }

    private static boolean hasProjector(Path file) throws IOException {
      try (Stream<Path> siblings = Files.list(file.toAbsolutePath().getParent())) {
        return siblings.anyMatch(p -> p.getFileName().toString().startsWith("mmproj") && p.toString().endsWith(".gguf"));
      }
    }
  }
}
