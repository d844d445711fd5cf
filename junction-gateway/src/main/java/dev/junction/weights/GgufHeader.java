package dev.junction.weights;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a GGUF file says about itself: its metadata's scalar values and the weight count summed over
 * its tensor infos. Reads the header only (a few MB at most, most of it the tokenizer's vocabulary,
 * which is skipped), never the weights. Layout per the format's specification: magic, version,
 * tensor count, metadata count, the key/value pairs, then one info per tensor; all little-endian.
 */
final class GgufHeader {

  private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
  private static final int STRING = 8;
  private static final int ARRAY = 9;
  /** Longer than any key or scalar string in a real header: past it the file is not GGUF. */
  private static final long MAX_STRING = 1 << 24;
  private static final long MAX_COUNT = 1L << 32;

  /** The quantization each {@code general.file_type} value names (llama.cpp's {@code llama_ftype}). */
  private static final @Nullable String[] FILE_TYPES = {
      "F32", "F16", "Q4_0", "Q4_1", null, null, null, "Q8_0", "Q5_0", "Q5_1", "Q2_K", "Q3_K_S", "Q3_K_M",
      "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "IQ2_XXS", "IQ2_XS", "Q2_K_S", "IQ3_XS",
      "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ3_M", "IQ2_S", "IQ2_M", "IQ4_XS", "IQ1_M", "BF16"};

  final Map<String, Object> metadata;
  final long parameters;

  private GgufHeader(Map<String, Object> metadata, long parameters) {
    this.metadata = metadata;
    this.parameters = parameters;
  }

  /** @throws IOException when the file is not GGUF, or is cut short */
  static GgufHeader read(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      LittleEndian le = new LittleEndian(new DataInputStream(in));
      if (le.i32() != MAGIC) {
        throw new IOException(file + " is not a GGUF file");
      }
      int version = le.i32();
      if (version < 2) {
        throw new IOException(file + " is GGUF version " + version + "; versions 2 and 3 are read");
      }
      long tensors = le.count();
      long entries = le.count();
      Map<String, Object> metadata = new HashMap<>();
      for (long i = 0; i < entries; i++) {
        String key = le.string();
        Object value = le.value(le.i32());
        if (value != null) {
          metadata.put(key, value);
        }
      }
      long parameters = 0;
      for (long i = 0; i < tensors; i++) {
        le.string(); // name
        int dims = le.i32();
        long elements = 1;
        for (int d = 0; d < dims; d++) {
          elements *= le.i64();
        }
        le.i32(); // element type
        le.i64(); // offset
        parameters += elements;
      }
      return new GgufHeader(metadata, parameters);
    } catch (EOFException e) {
      throw new IOException(file + " ends inside its GGUF header", e);
    }
  }

  @Nullable String string(String key) {
    return metadata.get(key) instanceof String s ? s : null;
  }

  long number(String key) {
    return metadata.get(key) instanceof Number n ? n.longValue() : 0;
  }

  /** The quantization named by {@code general.file_type}, or null. */
  @Nullable String quantization() {
    int type = (int) number("general.file_type");
    return metadata.containsKey("general.file_type") && type >= 0 && type < FILE_TYPES.length
        ? FILE_TYPES[type] : null;
  }

  /** Reads GGUF's little-endian values from a big-endian {@link DataInputStream}. */
  private record LittleEndian(DataInputStream in) {

    int i32() throws IOException {
      return Integer.reverseBytes(in.readInt());
    }

    long i64() throws IOException {
      return Long.reverseBytes(in.readLong());
    }

    long count() throws IOException {
      long n = i64();
      if (n < 0 || n > MAX_COUNT) {
        throw new IOException("a GGUF count of " + n + " is not plausible");
      }
      return n;
    }

    String string() throws IOException {
      long length = i64();
      if (length < 0 || length > MAX_STRING) {
        throw new IOException("a GGUF string of " + length + " bytes is not plausible");
      }
      return new String(in.readNBytes((int) length), StandardCharsets.UTF_8);
    }

    /** A scalar value (strings too); arrays are skipped and read as null. */
    @Nullable Object value(int type) throws IOException {
      return switch (type) {
        case 0 -> (long) in.readUnsignedByte();
        case 1 -> (long) in.readByte();
        case 2 -> (long) Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
        case 3 -> (long) Short.reverseBytes(in.readShort());
        case 4 -> Integer.toUnsignedLong(i32());
        case 5 -> (long) i32();
        case 6 -> (double) Float.intBitsToFloat(i32());
        case 7 -> in.readUnsignedByte() != 0;
        case STRING -> string();
        case ARRAY -> skipArray();
        case 10, 11 -> i64();
        case 12 -> Double.longBitsToDouble(i64());
        default -> throw new IOException("unknown GGUF value type " + type);
      };
    }

    private @Nullable Object skipArray() throws IOException {
      int type = i32();
      long n = count();
      int width = switch (type) {
        case 0, 1, 7 -> 1;
        case 2, 3 -> 2;
        case 4, 5, 6 -> 4;
        case 10, 11, 12 -> 8;
        default -> 0;
      };
      if (width > 0) {
        in.skipNBytes(n * width);
      } else {
        for (long i = 0; i < n; i++) {
          value(type);
        }
      }
      return null;
    }
  }
}
