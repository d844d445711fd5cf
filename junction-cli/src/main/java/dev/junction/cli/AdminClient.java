package dev.junction.cli;

import org.jspecify.annotations.Nullable;
import dev.junction.api.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * What the admin commands share: where the gateway is, its master key, and how its answers are
 * printed. A mixin: {@code --url} and {@code --master-key} default to {@code JUNCTION_URL} and
 * {@code JUNCTION_MASTER_KEY}, so that the key need not appear on a command line (and in the shell's
 * history and the process list).
 */
final class AdminClient {

  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:JUNCTION_URL:-http://127.0.0.1:8080}",
      description = "The gateway's base URL (default: $JUNCTION_URL, else http://127.0.0.1:8080).")
  String url;

  @Option(names = "--master-key", paramLabel = "KEY", defaultValue = "${env:JUNCTION_MASTER_KEY}",
      description = "The gateway's master key (default: $JUNCTION_MASTER_KEY).")
  String masterKey;

  @Option(names = "--json", description = "Print the gateway's JSON answer as it is.")
  boolean json;


  /** A failed call, already reported to the user; its exit code. */
  static final class Failed extends Exception {
    final int code;

    Failed(int code) {
      super(null, null, false, false);
      this.code = code;
    }
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Calls the admin API; on an error answer prints its message and throws. */
  HttpResponse<String> call(String method, String path, @Nullable JsonNode body) throws Failed {
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    if (base.endsWith("/v1")) {
      base = base.substring(0, base.length() - 3);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)));
    if (body != null) {
      request.header("content-type", "application/json");
    }
    if (masterKey != null && !masterKey.isBlank()) {
      request.header("authorization", "Bearer " + masterKey);
    }
    HttpResponse<String> response;
    try {
      // Made per call, not per instance: picocli makes this mixin for every admin subcommand at every
      // start, `junction serve` included, and each client starts a selector thread (190 ms of start-up).
      try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      }
    } catch (IOException e) {
      spec.commandLine().getErr().println("Cannot reach the gateway at " + base + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
      throw new Failed(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failed(2);
    }
    if (response.statusCode() >= 400) {
      String message = response.body();
      try {
        JsonNode error = Json.MAPPER.readTree(response.body()).path("error");
        message = error.path("message").asString(message);
      } catch (RuntimeException e) {
        // not JSON: printed as it came
      }
      spec.commandLine().getErr().println("Error " + response.statusCode() + ": " + message);
      throw new Failed(1);
    }
    return response;
  }

  JsonNode callJson(String method, String path, @Nullable JsonNode body) throws Failed {
    HttpResponse<String> response = call(method, path, body);
    if (json) {
      out().println(response.body());
      out().flush();
    }
    return Json.MAPPER.readTree(response.body());
  }

  /** A query string of the non-null parameters, or "". */
  static String query(Map<String, String> params) {
    StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
    params.forEach((name, value) -> {
      if (value != null) {
        query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    });
    return query.toString();
  }

  static String path(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }
}
