package dev.mlflowknative.camel.test;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/** Keeps the test console readable: this project's INFO lines, other libraries' warnings and errors only. */
public final class ConsoleLogFilter extends Filter<ILoggingEvent> {

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return event.getLevel().isGreaterOrEqual(Level.WARN) || event.getLoggerName().startsWith("dev.mlflowknative")
                ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
