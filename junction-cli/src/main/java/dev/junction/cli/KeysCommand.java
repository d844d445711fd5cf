package dev.junction.cli;

import dev.junction.api.Json;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code junction keys}: virtual keys through a running gateway's admin API. */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "Issue, list, show, rotate and revoke virtual keys (through the gateway's admin API).",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Show.class,
        KeysCommand.Revoke.class, KeysCommand.Rotate.class})
final class KeysCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the call; a failed one has been reported and becomes its exit code. */
  abstract static class AdminCall implements Callable<Integer> {
    @Mixin AdminClient admin;

    @Override
    public Integer call() {
      try {
        call(admin);
        admin.out().flush();
        return 0;
      } catch (AdminClient.Failed e) {
        return e.code;
      }
    }

    abstract void call(AdminClient admin) throws AdminClient.Failed;
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Issue a key; its secret is shown once.")
  static final class Create extends AdminCall {
    @Option(names = "--name", description = "A label for people.") String name;
    @Option(names = "--team", description = "The team it belongs to (create it first).") String team;
    @Option(names = "--model", paramLabel = "ID|PATTERN", description = "A model it may call (repeatable; * globs). Default: any.")
    List<String> models;
    @Option(names = "--rpm", description = "Requests per minute.") Long rpm;
    @Option(names = "--tpm", description = "Tokens per minute.") Long tpm;
    @Option(names = "--max-parallel", description = "Requests in flight at once.") Long maxParallel;
    @Option(names = "--budget-usd", description = "Spend allowed per budget period, in USD.") java.math.BigDecimal budgetUsd;
    @Option(names = "--budget-period", description = "day, week, month or total (default).") String budgetPeriod;
    @Option(names = "--expires-at", paramLabel = "INSTANT", description = "e.g. 2030-01-31T00:00:00Z.") String expiresAt;
    @Option(names = "--tag", description = "A tag (repeatable).") List<String> tags;
    @Option(names = "--metadata", paramLabel = "JSON", description = "A JSON object kept with the key.") String metadata;

    @Override
    void call(AdminClient admin) throws AdminClient.Failed {
      ObjectNode body = Json.MAPPER.createObjectNode();
      put(body, "name", name);
      put(body, "team", team);
      if (models != null) {
        models.forEach(body.putArray("models")::add);
      }
      if (rpm != null) body.put("rpm", rpm);
      if (tpm != null) body.put("tpm", tpm);
      if (maxParallel != null) body.put("max_parallel", maxParallel);
      if (budgetUsd != null) body.put("budget_usd", budgetUsd);
      put(body, "budget_period", budgetPeriod);
      put(body, "expires_at", expiresAt);
      if (tags != null) {
        tags.forEach(body.putArray("tags")::add);
      }
      if (metadata != null) {
        body.set("metadata", Json.MAPPER.readTree(metadata));
      }
      JsonNode key = admin.callJson("POST", "/admin/keys", body);
      if (!admin.json) {
        details(admin.out(), key);
        admin.out().printf("%-14s %s%n", "key", key.path("key").asString());
        admin.out().println("The key is shown this once: store it now.");
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every key, revoked ones too.")
  static final class ListKeys extends AdminCall {
    @Option(names = "--team", description = "Only this team's keys.") String team;

    @Override
    void call(AdminClient admin) throws AdminClient.Failed {
      JsonNode list = admin.callJson("GET", "/admin/keys" + AdminClient.query(java.util.Collections.singletonMap("team", team)), null);
      if (admin.json) {
        return;
      }
      PrintWriter out = admin.out();
      String format = "%-24s %-20s %-14s %-8s %-24s %6s %8s %10s %s%n";
      out.printf(format, "ID", "NAME", "TEAM", "STATUS", "MODELS", "RPM", "TPM", "BUDGET $", "EXPIRES");
      for (JsonNode key : list.path("data")) {
        out.printf(Locale.ROOT, format, key.path("id").asString(), cut(key.path("name").asString(), 20),
            dash(key.path("team")), key.path("status").asString(), cut(models(key), 24), limit(key.path("rpm")),
            limit(key.path("tpm")), budget(key), dash(key.path("expires_at")));
      }
    }
  }

  /** A call on one key, named by its id: {@code /admin/keys/{id}}. */
  abstract static class OneKey extends AdminCall {
    @Parameters(paramLabel = "ID", description = "The key's id (key_…).") String id;
    private final String method;

    OneKey(String method) {
      this.method = method;
    }

    @Override
    void call(AdminClient admin) throws AdminClient.Failed {
      JsonNode key = admin.callJson(method, "/admin/keys/" + AdminClient.path(id), null);
      if (!admin.json) {
        print(admin.out(), key);
      }
    }

    abstract void print(PrintWriter out, JsonNode key);
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One key's settings (never its secret).")
  static final class Show extends OneKey {
    Show() {
      super("GET");
    }

    @Override
    void print(PrintWriter out, JsonNode key) {
      details(out, key);
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key: refused at once, everywhere.")
  static final class Revoke extends OneKey {
    Revoke() {
      super("DELETE");
    }

    @Override
    void print(PrintWriter out, JsonNode key) {
      out.println("Revoked " + key.path("id").asString() + " (" + key.path("name").asString() + ").");
    }
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "A new secret for a key; the old one is refused at once, or after a grace period.")
  static final class Rotate extends AdminCall {
    @Parameters(paramLabel = "ID") String id;
    @Option(names = "--grace-seconds", description = "How long the old secret keeps working (default 0).") Long grace;

    @Override
    void call(AdminClient admin) throws AdminClient.Failed {
      ObjectNode body = Json.MAPPER.createObjectNode();
      if (grace != null) {
        body.put("grace_seconds", grace);
      }
      JsonNode key = admin.callJson("POST", "/admin/keys/" + AdminClient.path(id) + "/rotate", body);
      if (!admin.json) {
        admin.out().printf("%-14s %s%n", "id", key.path("id").asString());
        admin.out().printf("%-14s %s%n", "key", key.path("key").asString());
        if (!key.path("previous_key_valid_until").isNull()) {
          admin.out().printf("%-14s %s%n", "old key until", key.path("previous_key_valid_until").asString());
        }
        admin.out().println("The key is shown this once: store it now.");
      }
    }
  }

  static void details(PrintWriter out, JsonNode key) {
    for (String field : List.of("id", "name", "team", "status", "models", "rpm", "tpm", "max_parallel", "budget_usd",
        "budget_period", "expires_at", "tags", "metadata", "created_at", "revoked_at", "previous_key_valid_until")) {
      JsonNode value = key.path(field);
      String text = value.isString() ? value.asString() : value.isNull() || value.isMissingNode() ? "-" : value.toString();
      out.printf("%-14s %s%n", field, field.equals("models") && key.path("models").isEmpty() ? "any" : text);
    }
  }

  private static void put(ObjectNode body, String field, String value) {
    if (value != null) {
      body.put(field, value);
    }
  }

  private static String models(JsonNode key) {
    List<String> models = key.path("models").valueStream().map(JsonNode::asString).toList();
    return models.isEmpty() ? "any" : String.join(",", models);
  }

  private static String limit(JsonNode value) {
    return value.asLong() == 0 ? "-" : value.asString();
  }

  private static String budget(JsonNode key) {
    if (key.path("budget_usd").decimalValue().signum() == 0) {
      return "-";
    }
    return key.path("budget_usd").decimalValue().toPlainString() + "/" + key.path("budget_period").asString();
  }

  private static String dash(JsonNode value) {
    return value.isNull() || value.isMissingNode() ? "-" : value.asString();
  }

  private static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}
