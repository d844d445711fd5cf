package dev.junction.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** {@code junction usage}: what was spent, by whom, from the gateway's ledger. */
@Command(name = "usage", mixinStandardHelpOptions = true,
    description = "Requests, spend and tokens from the gateway's ledger, for a key, a team or everyone.")
final class UsageCommand extends KeysCommand.AdminCall {

  @Option(names = "--key-id", description = "Only this key's requests.") String keyId;
  @Option(names = "--team", description = "Only this team's requests.") String team;
  @Option(names = "--from", description = "From this date or instant (inclusive).") String from;
  @Option(names = "--to", description = "To this date or instant (exclusive).") String to;
  @Option(names = "--group-by", description = "model, provider, day, user, key or team.") String groupBy;
  @Option(names = "--csv", description = "Print the report as CSV.") boolean csv;

  @Override
  void call(AdminClient admin) throws AdminClient.Failed {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("key_id", keyId);
    params.put("team", team);
    params.put("from", from);
    params.put("to", to);
    params.put("group_by", groupBy);
    if (csv) {
      params.put("format", "csv");
      admin.out().print(admin.call("GET", "/admin/usage" + AdminClient.query(params), null).body());
      return;
    }
    JsonNode report = admin.callJson("GET", "/admin/usage" + AdminClient.query(params), null);
    if (admin.json) {
      return;
    }
    PrintWriter out = admin.out();
    String format = "%-32s %9s %14s %12s %12s %12s %14s %14s%n";
    out.printf(format, groupBy == null ? "" : groupBy.toUpperCase(java.util.Locale.ROOT), "REQUESTS", "SPEND $",
        "INPUT", "OUTPUT", "CACHED", "HOSTED EQUIV $", "SAVED $");
    for (JsonNode row : report.path("rows")) {
      line(out, format, row.path("group").isNull() ? "(none)" : row.path("group").asString(), row);
    }
    line(out, format, "total", report);
  }

  private static void line(PrintWriter out, String format, String group, JsonNode sums) {
    out.printf(format, group, sums.path("requests").asString(), sums.path("spend_usd").decimalValue().toPlainString(),
        sums.path("input_tokens").asString(), sums.path("output_tokens").asString(), sums.path("cached_tokens").asString(),
        sums.path("hosted_equivalent_usd").decimalValue().toPlainString(),
        sums.path("saved_usd").decimalValue().toPlainString());
  }
}
