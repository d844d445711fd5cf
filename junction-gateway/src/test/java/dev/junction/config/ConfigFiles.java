package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes YAML to a real file and loads it, showing problems as {@code junction.yaml:<line>: …}. */
final class ConfigFiles {

  private final Path dir;

  ConfigFiles(Path dir) {
    this.dir = dir;
  }

  Path write(String yaml) {
    try {
      return Files.writeString(dir.resolve("junction.yaml"), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JunctionConfig load(String yaml) {
    return load(yaml, Map.of());
  }

  JunctionConfig load(String yaml, Map<String, String> env) {
    return ConfigLoader.load(write(yaml), env);
  }

  List<String> problems(String yaml) {
    return problems(yaml, Map.of());
  }

  /** The problems of a file that must fail, with its temporary path shortened to junction.yaml. */
  List<String> problems(String yaml, Map<String, String> env) {
    Path file = write(yaml);
    ConfigException e = assertThatExceptionOfType(ConfigException.class)
        .isThrownBy(() -> ConfigLoader.load(file, env))
        .actual();
    return e.problems().stream().map(p -> p.replace(file.toString(), "junction.yaml")).toList();
  }
}
