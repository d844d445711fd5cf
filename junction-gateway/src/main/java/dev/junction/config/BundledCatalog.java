package dev.junction.config;

import dev.junction.config.JunctionConfig.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The model catalog shipped inside Junction ({@code catalog/bundled.yaml}): public model ids, their
 * hosted deployments and prices, each with the URL and date the price was read. It is read by the
 * same reader and rules as a config file's {@code models:}, plus two of its own: every deployment has
 * a {@code source} and an {@code as_of}, and names a provider from {@link EnvironmentProviders}.
 */
public final class BundledCatalog {

  static final String RESOURCE = "catalog/bundled.yaml";
  private static final String NAME = "bundled catalog (" + RESOURCE + ")";

  private static volatile @Nullable List<ModelConfig> models;

  private BundledCatalog() {}

  /**
   * The bundled models, read once.
   *
   * @throws ConfigException if the shipped file breaks its own rules (a build that should not pass)
   */
  public static List<ModelConfig> models() {
    List<ModelConfig> read = models;
    if (read == null) {
      read = read(NAME, text());
      models = read;
    }
    return read;
  }

  /** Reads a catalog file, for {@code junction catalog validate FILE}. */
  public static List<ModelConfig> load(Path file) {
    Problems problems = new Problems(file.toString());
    String text = ConfigLoader.readText(file, problems);
    return ConfigReader.readCatalog(YamlReader.read(text, problems), problems);
  }

  private static List<ModelConfig> read(String name, String text) {
    Problems problems = new Problems(name);
    Optional<YamlNode> document = YamlReader.read(text, problems);
    return ConfigReader.readCatalog(document, problems);
  }

  private static String text() {
    try (InputStream in = BundledCatalog.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
