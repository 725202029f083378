package dev.cairn.internal.interrupt;

import java.util.Optional;

/** Somewhere a stop request can come from, polled. */
public interface NoticeSource extends AutoCloseable {

  /**
   * The current notice, if any.
   *
   * @throws NoticeSourceUnavailableException when the source cannot be reached at all (not on EC2):
   *     the watcher stops polling it
   */
  Optional<Notice> poll();

  @Override
  void close();

  /** The source cannot be reached; polling it again is pointless. */
  final class NoticeSourceUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NoticeSourceUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
