package dev.junction.admin;

import dev.junction.api.Json;
import dev.junction.ledger.UsageReport;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A usage report as {@code GET /admin/usage} answers it: JSON, or CSV with a total line last. */
final class UsageCsv {

  static final String HEADER = "group,requests,spend_usd,input_tokens,output_tokens,cached_tokens,hosted_equivalent_usd,saved_usd\n";

  private UsageCsv() {}

  static ObjectNode json(UsageReport report) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    totals(json, report.totals());
    ArrayNode rows = json.putArray("rows");
    for (UsageReport.Row row : report.rows()) {
      ObjectNode item = rows.addObject();
      item.put("group", row.group());
      totals(item, row.totals());
    }
    return json;
  }

  private static void totals(ObjectNode json, UsageReport.Totals totals) {
    json.put("requests", totals.requests());
    json.put("spend_usd", AdminJson.usd(totals.costNanos()));
    json.put("input_tokens", totals.inputTokens());
    json.put("output_tokens", totals.outputTokens());
    json.put("cached_tokens", totals.cachedTokens());
    json.put("hosted_equivalent_usd", AdminJson.usd(totals.hostedEquivalentNanos()));
    json.put("saved_usd", AdminJson.usd(totals.savedNanos()));
  }

  static String of(UsageReport report) {
    StringBuilder csv = new StringBuilder(HEADER);
    for (UsageReport.Row row : report.rows()) {
      line(csv, cell(row.group()), row.totals());
    }
    line(csv, "total", report.totals());
    return csv.toString();
  }

  private static void line(StringBuilder csv, String group, UsageReport.Totals t) {
    csv.append(group).append(',').append(t.requests()).append(',').append(AdminJson.usd(t.costNanos()).toPlainString())
        .append(',').append(t.inputTokens()).append(',').append(t.outputTokens()).append(',').append(t.cachedTokens())
        .append(',').append(AdminJson.usd(t.hostedEquivalentNanos()).toPlainString())
        .append(',').append(AdminJson.usd(t.savedNanos()).toPlainString()).append('\n');
  }

  /**
   * A group value as a CSV cell. Models and users are the clients' own text: quoted when they hold a
   * separator or a quote, and a leading {@code = + - @} is defused with a quote mark, so that a
   * spreadsheet opening the report does not run it as a formula.
   */
  static String cell(String value) {
    if (value == null) {
      return "";
    }
    String text = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    if (text.chars().anyMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) {
      return '"' + text.replace("\"", "\"\"") + '"';
    }
    return text;
  }
}
