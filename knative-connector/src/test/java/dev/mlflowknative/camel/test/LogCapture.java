package dev.mlflowknative.camel.test;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event (at DEBUG and above) while open, formatted with its stack trace, for secret scans.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level previousLevel = root.getLevel();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture() {
        appender.start();
        root.addAppender(appender);
        root.setLevel(Level.DEBUG);
    }

    public List<ILoggingEvent> events() {
        synchronized (appender) { // AppenderBase.doAppend appends under this lock
            return List.copyOf(appender.list);
        }
    }

    public List<String> lines() {
        return events().stream()
                .map(e -> e.getLoggerName() + " " + e.getFormattedMessage()
                          + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy())))
                .toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        root.setLevel(previousLevel);
    }
}
