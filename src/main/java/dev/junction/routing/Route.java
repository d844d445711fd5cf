package dev.junction.routing;

import dev.junction.catalog.Deployment;
import java.util.List;

/**
 * Where one request may go, best first: the attempt loop walks the candidates in order.
 *
 * @param model the catalog id the request resolved to
 * @param policy how the candidates were ranked
 * @param stats where the relay reports what each attempt did
 * @param hedgeAfterMs the model's configured hedging delay, 0 when its requests are not hedged
 */
public record Route(String model, Policy policy, List<Deployment> candidates, LiveStats stats, long hedgeAfterMs) {

  public Route {
    candidates = List.copyOf(candidates);
  }

  /** An attempt against one of the candidates begins: report its first token and its end to the probe. */
  public LiveStats.Probe observe(Deployment deployment) {
    return stats.start(deployment);
  }

  /**
   * The {@code x-junction-route} header value: {@code policy=fastest; candidates=groq/llama-…,together/…}.
   * Anything outside printable ASCII is percent-encoded, as a header value must be.
   */
  public String header() {
    StringBuilder out = new StringBuilder("policy=").append(policy.wireName()).append("; candidates=");
    for (int i = 0; i < candidates.size(); i++) {
      if (i > 0) out.append(',');
      Deployment d = candidates.get(i);
      ascii(out, d.provider().name());
      out.append('/');
      ascii(out, d.model());
    }
    return out.toString();
  }

  private static void ascii(StringBuilder out, String text) {
    for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      if (b > 0x20 && b < 0x7f && b != '%' && b != ',' && b != ';') {
        out.append((char) b);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
  }
}
