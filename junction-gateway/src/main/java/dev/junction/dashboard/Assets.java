package dev.junction.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard's files, read from the class path once at start: a few kilobytes of our own and
 * uPlot from its WebJar. Served from memory, so nothing is unpacked to disk.
 */
final class Assets {

  /** A file as served: its bytes, type and a strong ETag. */
  record Asset(byte[] bytes, String type, String etag) {}

  private static final String OWN = "dev/junction/dashboard/";
  private static final String[] FILES = {"app.html", "signin.html", "app.css", "app.js", "charts.js", "format.js",
      "favicon.svg"};

  private final Map<String, Asset> assets = new HashMap<>();

  Assets() {
    ClassLoader loader = Assets.class.getClassLoader();
    for (String file : FILES) {
      assets.put(file, asset(loader, OWN + file, file));
    }
    String uplot = "META-INF/resources/webjars/uplot/" + uplotVersion(loader) + "/dist/";
    assets.put("uPlot.iife.min.js", asset(loader, uplot + "uPlot.iife.min.js", "uPlot.iife.min.js"));
    assets.put("uPlot.min.css", asset(loader, uplot + "uPlot.min.css", "uPlot.min.css"));
  }

  @Nullable Asset get(String name) {
    return assets.get(name);
  }

  private static String uplotVersion(ClassLoader loader) {
    try (InputStream in = loader.getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("uPlot's WebJar is not on the class path");
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Asset asset(ClassLoader loader, String path, String name) {
    try (InputStream in = loader.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard's " + path + " is not on the class path");
      }
      byte[] bytes = in.readAllBytes();
      return new Asset(bytes, type(name), "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(bytes), 0, 12) + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String type(String name) {
    if (name.endsWith(".html")) return "text/html; charset=utf-8";
    if (name.endsWith(".css")) return "text/css; charset=utf-8";
    if (name.endsWith(".js")) return "text/javascript; charset=utf-8";
    if (name.endsWith(".svg")) return "image/svg+xml";
    return "application/octet-stream";
  }
}
