package dev.cairn.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/**
 * What one logger writes while open, at every level, for tests that assert a message was logged
 * (and at which level). Closing detaches it and restores the logger's level.
 */
public final class CapturedLog implements AutoCloseable {
  private final Logger logger;
  private final Level previous;
  private final Appender appender = new Appender();

  private CapturedLog(Class<?> loggerOf) {
    logger = (Logger) LogManager.getLogger(loggerOf);
    previous = logger.getLevel();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.ALL);
  }

  /** Captures what {@code loggerOf}'s logger writes from now on. */
  public static CapturedLog of(Class<?> loggerOf) {
    return new CapturedLog(loggerOf);
  }

  /** The messages logged at {@code level}, formatted, in order. */
  public List<String> at(Level level) {
    return appender.events.stream()
        .filter(e -> e.getLevel() == level)
        .map(e -> e.getMessage().getFormattedMessage())
        .toList();
  }

  @Override
  public void close() {
    logger.removeAppender(appender);
    logger.setLevel(previous);
    appender.stop();
  }

  private static final class Appender extends AbstractAppender {
    final List<LogEvent> events = new CopyOnWriteArrayList<>();

    Appender() {
      super("captured", null, null, false, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      events.add(event.toImmutable());
    }
  }
}
