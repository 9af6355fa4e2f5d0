package io.chaosproxy.proxy.cli;

import io.chaosproxy.faults.Durations;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.config.Upstreams;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    /**
     * Picocli's own converter for paths calls {@code Paths.get} reflectively, which on Java 18 and
     * later generates method-handle classes in every start that is given a path option.
     */
    static final class PathValues implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            try {
                return Path.of(value);
            } catch (IllegalArgumentException e) { // InvalidPathException: a NUL character, say
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

    /** {@code NAME=HOST:PORT} or {@code NAME=HOST:PORT@LISTEN_HOST:LISTEN_PORT}. */
    static final class TcpProxies implements ITypeConverter<ProxySpec> {
        @Override
        public ProxySpec convert(String value) {
            int equals = value.indexOf('=');
            if (equals <= 0) {
                throw new TypeConversionException("expected NAME=HOST:PORT[@LISTEN_HOST:LISTEN_PORT], got '" + value + "'");
            }
            String name = value.substring(0, equals);
            String rest = value.substring(equals + 1);
            int at = rest.lastIndexOf('@');
            try {
                HostPort listen = at < 0 ? HostPort.loopback(0) : HostPort.parse(rest.substring(at + 1));
                String upstream = at < 0 ? rest : rest.substring(0, at);
                return ProxySpec.tcp(name, listen, List.of(upstream));
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
