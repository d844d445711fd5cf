package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.api.Json;
import dev.junction.testing.GatewayExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/** {@code junction keys …} and {@code junction usage}, run as the real command line against a real gateway. */
class KeysCommandTest {

  @RegisterExtension
  static final GatewayExtension junction = GatewayExtension.builder().build();

  StringWriter out = new StringWriter();
  StringWriter err = new StringWriter();

  private int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cli = Main.commandLine("");
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--url";
    all[args.length + 1] = junction.rootUrl();
    all[args.length + 2] = "--master-key";
    all[args.length + 3] = GatewayExtension.MASTER_KEY;
    return cli.execute(all);
  }

  private static int chat(String secret) {
    return junction.post("/chat/completions", "{\"model\":\"test/chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        Map.of("authorization", "Bearer " + secret)).statusCode();
  }

  private static String field(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\s+(\\S+)$").matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return m.group(1);
  }

  @Test
  void aKeyIsCreatedUsedListedRotatedRevokedAndReportedFromTheCommandLine() {
    assertThat(run("keys", "create", "--name", "cli-made", "--model", "test/*", "--rpm", "30", "--budget-usd", "2.5",
        "--tag", "cli")).as(err.toString()).isZero();
    String id = field(out.toString(), "id");
    String secret = field(out.toString(), "key");
    assertThat(out.toString()).contains("shown this once");
    assertThat(chat(secret)).isEqualTo(200);

    assertThat(run("keys", "list")).isZero();
    assertThat(out.toString()).contains(id, "cli-made", "active", "test/*", "2.5/total").doesNotContain(secret);
    assertThat(run("keys", "show", id)).isZero();
    assertThat(field(out.toString(), "rpm")).isEqualTo("30");
    assertThat(out.toString()).doesNotContain(secret);

    assertThat(run("usage", "--key-id", id, "--group-by", "model")).as(err.toString()).isZero();
    assertThat(out.toString()).containsPattern("(?m)^test/chat\\s+1\\s").containsPattern("(?m)^total\\s+1\\s")
        .contains("HOSTED EQUIV $", "SAVED $").containsPattern("(?m)^total\\s+1\\s.*\\s0\\s+0$");
    assertThat(run("usage", "--key-id", id, "--json")).isZero();
    assertThat(Json.MAPPER.readTree(out.toString()).path("requests").asLong()).isEqualTo(1);
    assertThat(run("usage", "--key-id", id, "--csv")).isZero();
    assertThat(out.toString()).startsWith("group,requests,spend_usd").contains("\ntotal,1,");

    assertThat(run("keys", "rotate", id)).isZero();
    String rotated = field(out.toString(), "key");
    assertThat(chat(secret)).isEqualTo(401);
    assertThat(chat(rotated)).isEqualTo(200);

    assertThat(run("keys", "revoke", id, "--json")).isZero();
    JsonNode revoked = Json.MAPPER.readTree(out.toString());
    assertThat(revoked.path("status").asString()).isEqualTo("revoked");
    assertThat(chat(rotated)).isEqualTo(401);
  }

  @Test
  void errorsFromTheGatewayArePrintedAndExitNonZero() {
    assertThat(run("keys", "show", "key_none")).isEqualTo(1);
    assertThat(err.toString()).contains("Error 404", "key_none");
    assertThat(run("keys", "create", "--budget-period", "year")).isEqualTo(1);
    assertThat(err.toString()).contains("Error 400", "budget_period");
    CommandLine cli = Main.commandLine("");
    StringWriter denied = new StringWriter();
    cli.setErr(new PrintWriter(denied, true));
    assertThat(cli.execute("keys", "list", "--url", junction.rootUrl(), "--master-key", "jk-wrong-master-key-000"))
        .isEqualTo(1);
    assertThat(denied.toString()).contains("Error 401");
  }
}
