package dev.junction.provider;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * AWS Signature Version 4 for one request without a query string, as AWS's general reference states
 * it: a canonical request (method, the path with each segment URI-encoded once more, the signed
 * headers lowercased and sorted, the body's SHA-256), a string to sign scoped to the day, region and
 * service, and an HMAC chain from the secret. Bedrock signs with service {@code bedrock}.
 *
 * <p>Holds the secret; it appears in no message, and the signature it yields is computed anew for
 * every body.
 */
final class SigV4 {

  private static final String ALGORITHM = "AWS4-HMAC-SHA256";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final HexFormat HEX = HexFormat.of();

  private final String accessKeyId;
  private final String secretAccessKey;
  private final @Nullable String sessionToken;
  private final String region;
  private final String service;

  SigV4(String accessKeyId, String secretAccessKey, @Nullable String sessionToken, String region, String service) {
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.sessionToken = sessionToken;
    this.region = region;
    this.service = service;
  }

  /**
   * The headers that sign this request: {@code x-amz-date}, {@code x-amz-content-sha256}, the
   * session token when there is one, and {@code Authorization}.
   *
   * @param path the path as sent, already percent-encoded
   * @param headers the other headers to sign ({@code host} at least)
   */
  Map<String, String> sign(String method, String path, Map<String, String> headers, byte[] body, Instant now) {
    String stamp = STAMP.format(now);
    String payload = HEX.formatHex(sha256(body));
    Map<String, String> added = new TreeMap<>();
    added.put("x-amz-date", stamp);
    added.put("x-amz-content-sha256", payload);
    if (sessionToken != null) {
      added.put("x-amz-security-token", sessionToken);
    }
    Map<String, String> signed = new TreeMap<>(added);
    headers.forEach((name, value) -> signed.put(name.toLowerCase(Locale.ROOT), value.strip().replaceAll("\\s+", " ")));
    added.put("Authorization", authorization(method, path, signed, payload, stamp));
    return added;
  }

  /** The Authorization header for headers already lowercased and sorted, the body hashed as {@code payload}. */
  String authorization(String method, String path, Map<String, String> signed, String payload, String stamp) {
    StringBuilder canonical = new StringBuilder(256).append(method).append('\n').append(canonicalPath(path))
        .append("\n\n");
    signed.forEach((name, value) -> canonical.append(name).append(':').append(value).append('\n'));
    String names = String.join(";", signed.keySet());
    canonical.append('\n').append(names).append('\n').append(payload);
    String day = stamp.substring(0, 8);
    String scope = day + "/" + region + "/" + service + "/aws4_request";
    String toSign = ALGORITHM + "\n" + stamp + "\n" + scope + "\n"
        + HEX.formatHex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), day);
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, "aws4_request");
    String signature = HEX.formatHex(hmac(key, toSign));
    return ALGORITHM + " Credential=" + accessKeyId + "/" + scope + ", SignedHeaders=" + names
        + ", Signature=" + signature;
  }

  /** Each segment URI-encoded (RFC 3986 unreserved characters kept), so a path sent encoded is encoded twice. */
  static String canonicalPath(String path) {
    if (path.isEmpty()) {
      return "/";
    }
    StringBuilder out = new StringBuilder(path.length() + 16);
    for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA256", e);
    }
  }

  @Override
  public String toString() {
    return "SigV4[" + region + "/" + service + "]";
  }
}
