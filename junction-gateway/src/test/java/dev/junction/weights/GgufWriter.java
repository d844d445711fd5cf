package dev.junction.weights;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes GGUF headers, byte by byte as the format's specification lays them out, for tests. */
final class GgufWriter {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private int entries;
  private int tensors;
  private final ByteArrayOutputStream kv = new ByteArrayOutputStream();
  private final ByteArrayOutputStream infos = new ByteArrayOutputStream();

  GgufWriter string(String key, String value) {
    key(key);
    i32(kv, 8);
    str(kv, value);
    return this;
  }

  GgufWriter u32(String key, int value) {
    key(key);
    i32(kv, 4);
    i32(kv, value);
    return this;
  }

  GgufWriter f32(String key, float value) {
    key(key);
    i32(kv, 6);
    i32(kv, Float.floatToIntBits(value));
    return this;
  }

  GgufWriter strings(String key, List<String> values) {
    key(key);
    i32(kv, 9);
    i32(kv, 8);
    i64(kv, values.size());
    values.forEach(v -> str(kv, v));
    return this;
  }

  GgufWriter floats(String key, int count) {
    key(key);
    i32(kv, 9);
    i32(kv, 6);
    i64(kv, count);
    for (int i = 0; i < count; i++) {
      i32(kv, Float.floatToIntBits(i));
    }
    return this;
  }

  GgufWriter tensor(String name, long... dims) {
    tensors++;
    str(infos, name);
    i32(infos, dims.length);
    for (long d : dims) {
      i64(infos, d);
    }
    i32(infos, 12); // Q4_K
    i64(infos, 0);
    return this;
  }

  byte[] bytes() {
    out.reset();
    out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
    i32(out, 3);
    i64(out, tensors);
    i64(out, entries);
    out.writeBytes(kv.toByteArray());
    out.writeBytes(infos.toByteArray());
    return out.toByteArray();
  }

  private void key(String key) {
    entries++;
    str(kv, key);
  }

  private static void str(ByteArrayOutputStream o, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    i64(o, b.length);
    o.writeBytes(b);
  }

  private static void i32(ByteArrayOutputStream o, int v) {
    o.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
  }

  private static void i64(ByteArrayOutputStream o, long v) {
    o.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
  }
}
