package io.chaosproxy.proxy.cli;

import io.chaosproxy.faults.Durations;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.Upstreams;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value parsers: picocli puts the option's name in front of their messages. */
final class Converters {
    private Converters() {}

    static final class HostPorts implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DurationValues implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class UpstreamUrls implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            try {
                return Upstreams.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
