package dev.junction.dashboard;

import dev.junction.api.Json;
import dev.junction.testing.GatewayExtension;
import dev.junction.testing.Http;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** A browser's view of the dashboard over plain HTTP: it signs in with a form and keeps the cookie. */
final class UiClient {

  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final String root;
  private String cookie;
  private String csrf;

  UiClient(GatewayExtension junction) {
    this.root = junction.rootUrl();
  }

  /** Posts the sign-in form; returns the response (a 303 either way). */
  HttpResponse<String> signIn(String key) {
    HttpResponse<String> response = Http.send(http, HttpRequest.newBuilder(URI.create(root + "/ui/signin"))
        .header("content-type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("key=" + URLEncoder.encode(key, StandardCharsets.UTF_8))).build());
    response.headers().firstValue("set-cookie").ifPresent(c -> cookie = c.substring(0, c.indexOf(';')));
    if (cookie != null) {
      csrf = Json.MAPPER.readTree(get("/ui/api/session").body()).path("csrf").asString();
    }
    return response;
  }

  String csrf() {
    return csrf;
  }

  HttpResponse<String> get(String path) {
    return send("GET", path, null, null);
  }

  /** A change carrying the session's CSRF token. */
  HttpResponse<String> change(String method, String path, String body) {
    return send(method, path, body, csrf);
  }

  HttpResponse<String> send(String method, String path, String body, String csrfToken) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("content-type", "application/json");
    }
    if (cookie != null) {
      request.header("cookie", cookie);
    }
    if (csrfToken != null) {
      request.header(Dashboard.CSRF_HEADER, csrfToken);
    }
    return Http.send(http, request.build());
  }
}
