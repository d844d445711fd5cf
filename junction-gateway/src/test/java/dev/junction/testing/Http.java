package dev.junction.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Sends a request and returns the whole response, for test code that would rather not catch. */
public final class Http {

  /**
   * For scrapes of {@code /metrics}: HTTP/1.1, as Prometheus scrapes. The JDK client's default asks
   * for an h2c upgrade, and a large answer that comes right behind the 101 (a scrape's is ready at
   * once) it sometimes reads wrong: body bytes taken for a frame header, or an EOF. curl likewise gives
   * up past 32 KB there.
   */
  public static final HttpClient SCRAPER = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private Http() {}

  public static HttpResponse<String> send(HttpClient client, HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
