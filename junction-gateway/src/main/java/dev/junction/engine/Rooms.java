package dev.junction.engine;

import java.util.List;

/** What routing asks about self-hosted engines: which providers are engines, and whether each has room. */
public interface Rooms {

  /** No engines: every provider is hosted, none is ever full. */
  Rooms NONE = new Rooms() {
    @Override
    public boolean engine(String provider) {
      return false;
    }

    @Override
    public Room room(String provider) {
      return Room.UNKNOWN;
    }

    @Override
    public boolean serves(String provider, String model) {
      return true;
    }

    @Override
    public List<String> serving(String model) {
      return List.of();
    }
  };

  /** Whether the provider is a self-hosted engine whose load is polled. */
  boolean engine(String provider);

  /** Its room for a new request; {@link Room#UNKNOWN} for a provider that is not an engine. */
  Room room(String provider);

  /**
   * Whether the provider serves this model id: false only for an engine whose last model list does
   * not name it (a model unloaded, an adapter another replica holds); true when nothing says otherwise.
   */
  boolean serves(String provider, String model);

  /** The engines whose last model list names this id (a served model or adapter), in config order. */
  List<String> serving(String model);

  /** How many replicas serve the provider's requests: more than one for an engine's pool. */
  default int replicas(String provider) {
    return 1;
  }

  /**
   * Which replica of a pool one request goes to; -1 for a provider that is not a pool.
   *
   * @param affinity a hash of the request's prompt prefix, 0 for none
   * @param tried the replicas this request already failed on, one bit each by index: another is
   *     chosen while there is one
   */
  default int replica(String provider, long affinity, long tried) {
    return -1;
  }
}
